"""Wiring of explanations into the detectors service: its tables, clients, log store and deployment events."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI

from warden_common.db import open_pool, prepare_schema
from warden_common.errors import ServiceUnavailable
from warden_common.logstore import LogStore
from warden_common.logstore.factory import create_log_store
from warden_common.platform import Platform
from warden_common.service_app import ServiceSetup
from warden_common.upstreams import open_upstreams
from warden_detectors.explainers.deployments import DeploymentExplainers
from warden_detectors.explainers.logged import LazyLogStore
from warden_detectors.explainers.repository import ExplanationsRepository
from warden_detectors.explainers.service import ExplainService
from warden_detectors.explainers.settings import ExplainSettings
from warden_detectors.migrations import SERVICE, migrations
from warden_detectors.settings import DetectorsSettings

CONSUMER_GROUP = "warden-detectors-explainers"


def _log_store(settings: DetectorsSettings, platform: Platform, dsn: str) -> LogStore:
    """The request logger's store (the service's `log_store` / `opensearch` settings), never migrated from here:
    it is opened lazily, at the first explanation of a logged request, when the request logger has set it up."""
    return create_log_store(
        settings.log_store,
        settings.opensearch,
        platform,
        dsn=dsn,
        pool_size=2,
        auto_migrate=False,
        dsn_setting="WARDEN_DETECTORS_DATABASE__DSN",
    )


def explanations_setup(service_settings: DetectorsSettings, settings: ExplainSettings | None = None) -> ServiceSetup:
    """An async context manager `(app, platform)` that serves explanations while it is open."""
    explain_settings = settings or ExplainSettings()

    @asynccontextmanager
    async def setup(app: FastAPI, platform: Platform) -> AsyncIterator[None]:
        dsn = platform.database_dsn
        if not dsn:
            raise ServiceUnavailable("explanations need PostgreSQL: set WARDEN_DETECTORS_DATABASE__DSN")
        # Standalone migrates at start; distributed mode needs `warden migrate` first (like every service).
        await prepare_schema(dsn, SERVICE, migrations(), migrate=platform.mode == "standalone")
        async with AsyncExitStack() as stack:
            pool = await stack.enter_async_context(
                open_pool(dsn, min_size=1, max_size=4, application_name="warden-explanations")
            )
            upstreams = await stack.enter_async_context(open_upstreams(service_settings, platform))
            log_store = LazyLogStore(_log_store(service_settings, platform, dsn))
            stack.push_async_callback(log_store.close)
            repository = ExplanationsRepository(pool)
            service = ExplainService(repository, upstreams, explain_settings, log_store)
            stack.push_async_callback(service.close)
            subscription = await DeploymentExplainers(service, platform.bus, CONSUMER_GROUP).start()
            stack.push_async_callback(subscription.stop)
            app.state.explanations = service
            try:
                yield
            finally:
                app.state.explanations = None

    return setup
