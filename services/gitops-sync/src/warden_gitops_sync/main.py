"""Entry point of the gitops-sync service: `create_app` is what `warden serve gitops-sync` and `warden up` run."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from warden_common.db import open_pool, prepare_schema
from warden_common.observability import add_readiness_check
from warden_common.platform import Platform
from warden_common.service_app import ServiceSetup, create_service_app
from warden_common.tasks import cancel_and_wait
from warden_gitops_sync.api.routes import gitops_router
from warden_gitops_sync.migrations import SERVICE, migrations
from warden_gitops_sync.service import GitopsService
from warden_gitops_sync.settings import GitopsSyncSettings
from warden_gitops_sync.status import MemoryStatusStore, PostgresStatusStore, StatusStore
from warden_gitops_sync.store import RepositoryStore
from warden_gitops_sync.sync import poll_forever

logger = logging.getLogger(__name__)


def state_dir(settings: GitopsSyncSettings, platform: Platform) -> Path:
    if settings.state_dir is not None:
        return settings.state_dir.expanduser()
    home = platform.home if platform.home is not None else Path("~/.warden").expanduser()
    return home / "gitops"


async def _status_store(
    settings: GitopsSyncSettings, platform: Platform, app: FastAPI, stack: AsyncExitStack
) -> StatusStore:
    """The sync status in PostgreSQL (survives restarts, the same for every reader); in memory without a database."""
    dsn = platform.database_dsn
    if not dsn:
        logger.warning(
            "gitops-sync has no database (WARDEN_GITOPS_DATABASE__DSN): the namespaces' sync status is kept in "
            "memory only, lost on restart"
        )
        return MemoryStatusStore()
    auto = settings.auto_migrate if settings.auto_migrate is not None else platform.mode == "standalone"
    await prepare_schema(dsn, SERVICE, migrations(), migrate=auto)
    db = settings.database
    pool = await stack.enter_async_context(
        open_pool(dsn, min_size=db.min_pool, max_size=db.max_pool, application_name="warden-gitops-sync")
    )

    async def database_ready() -> bool:
        return bool(await pool.fetchval("SELECT true"))

    add_readiness_check(app, "database", database_ready)
    return PostgresStatusStore(pool)


def _setup(settings: GitopsSyncSettings) -> ServiceSetup:
    @asynccontextmanager
    async def setup(app: FastAPI, platform: Platform) -> AsyncIterator[None]:
        root = state_dir(settings, platform)
        root.mkdir(parents=True, exist_ok=True)
        async with AsyncExitStack() as stack:
            status = await _status_store(settings, platform, app, stack)
            store = RepositoryStore(root, settings, platform.bus, status)
            service = app.state.gitops = GitopsService(store, settings.push_attempts)
            stopping = asyncio.Event()
            interval = settings.poll_interval_s
            poller = asyncio.create_task(poll_forever(store, interval, stopping)) if interval else None
            try:
                yield
            finally:
                app.state.gitops = None
                stopping.set()
                await service.close()
                await cancel_and_wait(poller)

    return setup


def create_app(settings: GitopsSyncSettings | None = None, platform: Platform | None = None) -> FastAPI:
    settings = settings or GitopsSyncSettings()
    return create_service_app(
        "gitops-sync", settings=settings, platform=platform, routers=[gitops_router()], setup=_setup(settings)
    )
