"""Entry point of the detectors service: `create_app` is what `warden serve detectors` and `warden up` run."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from functools import partial
from pathlib import Path

from fastapi import FastAPI

from warden_common.db import open_pool, prepare_schema
from warden_common.errors import ServiceUnavailable
from warden_common.events import KSERVE_DRIFT, SELDON_DRIFT
from warden_common.logstore import LogStore
from warden_common.logstore.factory import create_log_store
from warden_common.observability import add_readiness_check
from warden_common.platform import Platform
from warden_common.service_app import ServiceSetup, create_service_app
from warden_detectors import drift, feedback
from warden_detectors.configs.repository import DetectorConfigRepository
from warden_detectors.configs.routes import configs_router
from warden_detectors.configs.service import DetectorConfigService
from warden_detectors.drift import metrics as drift_metrics
from warden_detectors.drift import routes as drift_routes
from warden_detectors.explainers import routes as explainer_routes
from warden_detectors.explainers.settings import ExplainSettings
from warden_detectors.explainers.setup import start_explanations
from warden_detectors.feedback import metrics as feedback_metrics
from warden_detectors.feedback import routes as feedback_routes
from warden_detectors.migrations import SERVICE, migrations
from warden_detectors.outlier.kind import OutlierKind
from warden_detectors.runtime.artifacts import ArtifactFetcher
from warden_detectors.runtime.consumer import InferenceEventsConsumer
from warden_detectors.runtime.feedback import FeedbackKind, ResponseWait
from warden_detectors.runtime.kinds import DetectorKind, KindRegistry
from warden_detectors.runtime.registry import LiveRegistry
from warden_detectors.runtime.timers import refresh_configs, running_every, tick_all, utc_now
from warden_detectors.runtime.windowed import WindowedKind
from warden_detectors.settings import DetectorsSettings

logger = logging.getLogger(__name__)


def detector_kinds(
    settings: DetectorsSettings,
    drift_store: drift.DriftResultsStore,
    feedback_store: feedback.FeedbackMetricsStore,
    log_store: LogStore,
) -> list[DetectorKind]:
    """The kinds of detector this service runs, one line each (drift detectors and metrics servers plug in through
    `runtime.windowed.WindowedKind` and `runtime.feedback.FeedbackKind`; their stores take `pool`)."""
    return [
        OutlierKind(max_rows=settings.max_batch_rows),
        WindowedKind(
            "drift",
            (SELDON_DRIFT, KSERVE_DRIFT),
            drift.DriftSpec.from_config,
            drift.DriftMonitor,
            drift_store,
            observe=drift_metrics.record,
            forget=drift_metrics.forget,
        ),
        FeedbackKind(
            feedback.MetricsSpec.from_config,
            feedback.FeedbackMetricsServer,
            feedback_store,
            feedback.LogStoreLookup(log_store),
            observe=feedback_metrics.record,
            forget=feedback_metrics.forget,
            wait=ResponseWait(wait_s=settings.feedback_response_wait_s),
        ),
    ]


def _data_dir(settings: DetectorsSettings, platform: Platform, stack: AsyncExitStack) -> Path:
    if settings.data_dir is not None:
        return settings.data_dir.expanduser().resolve()
    if platform.home is not None:
        return platform.home / "detectors"
    return Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="warden-detectors-")))


def _setup(settings: DetectorsSettings, explain_settings: ExplainSettings | None) -> ServiceSetup:
    @asynccontextmanager
    async def setup(app: FastAPI, platform: Platform) -> AsyncIterator[None]:
        dsn = platform.database_dsn
        if not dsn:
            raise ServiceUnavailable("the detectors service needs PostgreSQL: set WARDEN_DETECTORS_DATABASE__DSN")
        auto = settings.auto_migrate if settings.auto_migrate is not None else platform.mode == "standalone"
        await prepare_schema(dsn, SERVICE, migrations(), migrate=auto)
        db = settings.database
        async with AsyncExitStack() as stack:
            pool = await stack.enter_async_context(
                open_pool(dsn, min_size=db.min_pool, max_size=db.max_pool, application_name="warden-detectors")
            )

            async def database_ready() -> bool:
                return bool(await pool.fetchval("SELECT true"))

            add_readiness_check(app, "database", database_ready)
            log_store = create_log_store(
                settings.log_store,
                settings.opensearch,
                platform,
                dsn=dsn,
                pool_size=db.max_pool,
                auto_migrate=settings.auto_migrate,
                dsn_setting="WARDEN_DETECTORS_DATABASE__DSN",
            )
            await log_store.start()  # read only here: metrics servers look up logged responses
            stack.push_async_callback(log_store.close)
            drift_store = drift.DriftResultsStore(pool)
            feedback_store = feedback.FeedbackMetricsStore(pool)
            kinds = KindRegistry(detector_kinds(settings, drift_store, feedback_store, log_store))
            fetcher = ArtifactFetcher(_data_dir(settings, platform, stack), settings.object_store)
            live = LiveRegistry(kinds, fetcher)
            stack.push_async_callback(live.close)
            repository = DetectorConfigRepository(pool)
            await refresh_configs(live, repository)  # every stored detector starts loading (in the background)
            consumer = InferenceEventsConsumer(
                live, platform.bus, group=settings.consumer_group, max_batch=settings.max_batch
            )
            subscription = await consumer.start()
            stack.push_async_callback(subscription.stop)
            await stack.enter_async_context(
                running_every(settings.config_refresh_s, partial(refresh_configs, live, repository), "config refresh")
            )
            await stack.enter_async_context(
                running_every(settings.tick_interval_s, lambda: tick_all(live, consumer, utc_now()), "detector ticks")
            )
            app.state.detector_configs = DetectorConfigService(repository, kinds, live)
            app.state.detector_repository = repository
            app.state.drift_results = drift_store
            app.state.feedback_metrics = feedback_store
            # Explanations: their tables on this pool, the same log store (logged requests), the data plane upstream.
            explain = explain_settings or ExplainSettings()
            await start_explanations(app, platform, stack, service_settings=settings, settings=explain, pool=pool,
                                     log_store=log_store)  # fmt: skip
            try:
                yield
            finally:
                app.state.detector_configs = app.state.detector_repository = None
                app.state.drift_results = app.state.feedback_metrics = None

    return setup


def create_app(
    settings: DetectorsSettings | None = None,
    platform: Platform | None = None,
    *,
    explain_settings: ExplainSettings | None = None,
) -> FastAPI:
    """The detectors service; `explain_settings` default to `ExplainSettings()` (env `WARDEN_DETECTORS_EXPLAIN_*`)."""
    settings = settings or DetectorsSettings()
    return create_service_app(
        "detectors",
        settings=settings,
        platform=platform,
        routers=[configs_router(), drift_routes.router, feedback_routes.router, explainer_routes.router],
        setup=_setup(settings, explain_settings),
    )
