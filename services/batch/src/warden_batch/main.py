"""Entry point of the batch service: `create_app` is what `warden serve batch` and `warden up` run."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager, suppress
from pathlib import Path

from fastapi import FastAPI

from warden_batch.api.routes import batch_router
from warden_batch.migrations import SERVICE, migrations
from warden_batch.repository import BatchJobRepository
from warden_batch.runner import JobRunner, new_owner
from warden_batch.service import BatchService, JobScheduler
from warden_batch.settings import BatchSettings
from warden_common.db import open_pool, prepare_schema
from warden_common.errors import ServiceUnavailable
from warden_common.observability import add_readiness_check
from warden_common.platform import Platform
from warden_common.service_app import ServiceSetup, create_service_app
from warden_common.upstreams import open_upstreams


def _work_dir(settings: BatchSettings, platform: Platform, stack: AsyncExitStack) -> Path:
    if settings.data_dir is not None:
        return settings.data_dir.expanduser().resolve()
    if platform.home is not None:
        return platform.home / "batch"
    return Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="warden-batch-")))


def _setup(settings: BatchSettings) -> ServiceSetup:
    @asynccontextmanager
    async def setup(app: FastAPI, platform: Platform) -> AsyncIterator[None]:
        dsn = platform.database_dsn
        if not dsn:
            raise ServiceUnavailable("the batch service needs PostgreSQL: set WARDEN_BATCH_DATABASE__DSN")
        auto = settings.auto_migrate if settings.auto_migrate is not None else platform.mode == "standalone"
        await prepare_schema(dsn, SERVICE, migrations(), migrate=auto)
        db = settings.database
        async with AsyncExitStack() as stack:
            pool = await stack.enter_async_context(
                open_pool(dsn, min_size=db.min_pool, max_size=db.max_pool, application_name="warden-batch")
            )

            async def database_ready() -> bool:
                return bool(await pool.fetchval("SELECT true"))

            add_readiness_check(app, "database", database_ready)
            upstreams = await stack.enter_async_context(open_upstreams(settings, platform))
            repository = BatchJobRepository(pool)
            owner = new_owner()
            runner = JobRunner(repository, upstreams, settings, _work_dir(settings, platform, stack), owner)
            scheduler = JobScheduler(repository, runner, owner, settings.max_running_jobs, settings.poll_interval_s,
                                     settings.lease_s)  # fmt: skip
            app.state.batch = BatchService(repository, scheduler.wake, settings.local_dirs)
            task = asyncio.create_task(scheduler.run_forever(), name="batch scheduler")
            try:
                yield
            finally:
                app.state.batch = None
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task
                await repository.release(owner)

    return setup


def create_app(settings: BatchSettings | None = None, platform: Platform | None = None) -> FastAPI:
    settings = settings or BatchSettings()
    return create_service_app("batch", settings=settings, platform=platform, routers=[batch_router()],
                              setup=_setup(settings))  # fmt: skip
