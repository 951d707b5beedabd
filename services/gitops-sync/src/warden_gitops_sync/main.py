"""Entry point of the gitops-sync service: `create_app` is what `warden serve gitops-sync` and `warden up` run."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from warden_common.platform import Platform
from warden_common.service_app import ServiceSetup, create_service_app
from warden_gitops_sync.api.routes import gitops_router
from warden_gitops_sync.service import GitopsService
from warden_gitops_sync.settings import GitopsSyncSettings
from warden_gitops_sync.store import RepositoryStore
from warden_gitops_sync.sync import poll_forever


def state_dir(settings: GitopsSyncSettings, platform: Platform) -> Path:
    if settings.state_dir is not None:
        return settings.state_dir.expanduser()
    home = platform.home if platform.home is not None else Path("~/.warden").expanduser()
    return home / "gitops"


def _setup(settings: GitopsSyncSettings) -> ServiceSetup:
    @asynccontextmanager
    async def setup(app: FastAPI, platform: Platform) -> AsyncIterator[None]:
        root = state_dir(settings, platform)
        root.mkdir(parents=True, exist_ok=True)
        store = RepositoryStore(root, settings, platform.bus)
        service = app.state.gitops = GitopsService(store, settings.push_attempts)
        poller = (
            asyncio.create_task(poll_forever(store, settings.poll_interval_s)) if settings.poll_interval_s else None
        )
        try:
            yield
        finally:
            app.state.gitops = None
            await service.close()
            if poller is not None:
                poller.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await poller

    return setup


def create_app(settings: GitopsSyncSettings | None = None, platform: Platform | None = None) -> FastAPI:
    settings = settings or GitopsSyncSettings()
    return create_service_app(
        "gitops-sync", settings=settings, platform=platform, routers=[gitops_router()], setup=_setup(settings)
    )
