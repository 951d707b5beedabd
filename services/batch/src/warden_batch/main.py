"""Entry point of the batch service: `create_app` is what `warden serve batch` and `warden up` run."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager, suppress

from fastapi import FastAPI

from warden_batch.api.routes import batch_router
from warden_batch.migrations import SERVICE, migrations
from warden_batch.repository import BatchJobRepository
from warden_batch.runner import JobRunner, new_owner
from warden_batch.service import BatchService, JobScheduler
from warden_batch.settings import BatchSettings
from warden_batch.worker import ChunkWorker
from warden_common.db.service_database import service_database
from warden_common.platform import Platform
from warden_common.service_app import ServiceSetup, create_service_app, data_dir
from warden_common.upstreams import open_upstreams


def _setup(settings: BatchSettings) -> ServiceSetup:
    @asynccontextmanager
    async def setup(app: FastAPI, platform: Platform) -> AsyncIterator[None]:
        # httpx logs every request at INFO: one line per data-plane call of every job would drown the logs (and
        # cost more than the call). Process-wide in standalone; WARDEN_LOG_LEVEL=DEBUG still shows them.
        httpx_logger = logging.getLogger("httpx")
        if httpx_logger.getEffectiveLevel() == logging.INFO:
            httpx_logger.setLevel(logging.WARNING)
        async with AsyncExitStack() as stack:
            database = service_database(
                app, platform, service=SERVICE, env_prefix="WARDEN_BATCH_", database=settings.database,
                auto_migrate=settings.auto_migrate, migrations=migrations(),
            )  # fmt: skip
            pool = await stack.enter_async_context(database)
            upstreams = await stack.enter_async_context(open_upstreams(settings, platform))
            repository = BatchJobRepository(pool)
            owner = new_owner()
            work_dir = data_dir(settings.data_dir, platform, SERVICE, stack)
            runner = JobRunner(repository, platform.bus, settings, work_dir, owner)
            worker = ChunkWorker(repository, upstreams, settings)
            app.state.batch_worker = worker
            subscription = await worker.subscribe(platform.bus)
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
                await subscription.stop()
                await repository.release(owner)  # a restarted service resumes them at once

    return setup


def create_app(settings: BatchSettings | None = None, platform: Platform | None = None) -> FastAPI:
    settings = settings or BatchSettings()
    return create_service_app("batch", settings=settings, platform=platform, routers=[batch_router()],
                              setup=_setup(settings))  # fmt: skip
