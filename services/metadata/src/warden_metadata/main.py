"""Entry point of the metadata service: `create_app` is what `warden serve metadata` and `warden up` run."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from warden_common.db import OutboxRelay, open_pool, prepare_schema
from warden_common.errors import ServiceUnavailable
from warden_common.observability import add_readiness_check
from warden_common.platform import Platform
from warden_common.service_app import ServiceSetup, create_service_app
from warden_metadata.api.routes import models, runtime
from warden_metadata.consumers.deployments import DeploymentEventsConsumer
from warden_metadata.migrations import OUTBOX, SERVICE, migrations
from warden_metadata.repository import MetadataRepository
from warden_metadata.service import MetadataService
from warden_metadata.settings import MetadataSettings

logger = logging.getLogger(__name__)


def _setup(settings: MetadataSettings) -> ServiceSetup:
    @asynccontextmanager
    async def setup(app: FastAPI, platform: Platform) -> AsyncIterator[None]:
        dsn = platform.database_dsn
        if not dsn:
            raise ServiceUnavailable("the metadata service needs PostgreSQL: set WARDEN_METADATA_DATABASE__DSN")
        auto = settings.auto_migrate if settings.auto_migrate is not None else platform.mode == "standalone"
        await prepare_schema(dsn, SERVICE, migrations(), migrate=auto)
        db = settings.database
        async with (
            open_pool(dsn, min_size=db.min_pool, max_size=db.max_pool, application_name="warden-metadata") as pool,
            OutboxRelay(pool, OUTBOX, platform.bus),
        ):
            service = MetadataService(MetadataRepository(pool), OUTBOX)

            async def database_ready() -> bool:
                return bool(await pool.fetchval("SELECT true"))

            add_readiness_check(app, "database", database_ready)
            consumer = DeploymentEventsConsumer(service, platform.bus, settings.runtime_consumer_group)
            subscription = await consumer.start()
            app.state.metadata = service
            try:
                yield
            finally:
                app.state.metadata = None
                await subscription.stop()

    return setup


def create_app(settings: MetadataSettings | None = None, platform: Platform | None = None) -> FastAPI:
    settings = settings or MetadataSettings()
    return create_service_app(
        "metadata",
        settings=settings,
        platform=platform,
        routers=[runtime.router, models.router],
        setup=_setup(settings),
    )
