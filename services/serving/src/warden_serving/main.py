"""Entry point of the serving service: `create_app` is what `warden serve serving` and `warden up` run."""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
from fastapi import FastAPI

from warden_common.db import open_pool, prepare_schema
from warden_common.errors import ServiceUnavailable
from warden_common.http1 import Http1Pool
from warden_common.platform import Platform
from warden_common.requestmetrics import Rollups
from warden_common.requestmetrics import postgres as rollup_store
from warden_common.service_app import create_service_app
from warden_serving.api.logs import router as logs_router
from warden_serving.api.resources import router as resources_router
from warden_serving.api.usage import router as usage_router
from warden_serving.dataplane.api import router as dataplane_router
from warden_serving.dataplane.forward import Forwarder
from warden_serving.dataplane.metrics import RequestMetrics
from warden_serving.dataplane.rollup_writer import RollupWriter
from warden_serving.dataplane.service import DataPlane
from warden_serving.desired import DesiredStore
from warden_serving.eventlog.sinks import BufferedSink, DirectSink, EventSink
from warden_serving.reconciler import Reconciler
from warden_serving.runtime.local import LocalRuntime
from warden_serving.runtime.process import ProcessOptions, reap_orphans
from warden_serving.settings import ServingSettings
from warden_serving.status import status_publisher

logger = logging.getLogger(__name__)


def create_app(settings: ServingSettings | None = None, platform: Platform | None = None) -> FastAPI:
    return create_service_app(
        "serving",
        settings=settings or ServingSettings(),
        platform=platform,
        setup=_setup,
        routers=[dataplane_router, resources_router, logs_router, usage_router],
    )


def _options(settings: ServingSettings) -> ProcessOptions:
    return ProcessOptions(
        mlserver_bin=settings.resolved_mlserver_bin(),
        start_timeout_s=settings.process_start_timeout_s,
        max_start_attempts=settings.max_start_attempts,
        initial_backoff_s=settings.restart_initial_backoff_s,
        max_backoff_s=settings.restart_max_backoff_s,
        log_lines=settings.log_tail_lines,
    )


@asynccontextmanager
async def _setup(app: FastAPI, platform: Platform) -> AsyncIterator[None]:
    settings: ServingSettings = app.state.settings
    data_dir = settings.resolved_data_dir(platform.home)
    runtime_root = data_dir / "runtime"
    reap_orphans(runtime_root)  # processes a killed predecessor left behind
    client = httpx.AsyncClient(
        limits=httpx.Limits(
            max_connections=settings.max_connections, max_keepalive_connections=settings.max_connections
        ),
        timeout=settings.request_timeout_s,
        trust_env=False,  # loopback only: no proxy lookups on the hot path
    )
    report = status_publisher(platform.bus)
    runtime = LocalRuntime(runtime_root, _options(settings), client, settings.object_store, report)
    sink: EventSink
    if settings.event_delivery == "async":
        buffered = BufferedSink(platform.bus, data_dir / "event-spill", settings.async_buffer_events)
        await buffered.start()
        sink = buffered
    else:
        sink = DirectSink(platform.bus)
    source = settings.event_source or f"http://{socket.gethostname()}:{settings.port}/"
    pool = Http1Pool(max_idle_per_host=settings.max_connections)
    async with _request_metrics(settings, platform) as metrics:
        plane = DataPlane(runtime, Forwarder(pool, settings.request_timeout_s), sink, source, metrics)
        reconciler = Reconciler(platform.bus, runtime, DesiredStore(data_dir / "desired"), report)
        app.state.runtime = runtime
        app.state.dataplane = plane
        app.state.event_sink = sink
        await reconciler.start()
        try:
            yield
        finally:
            await reconciler.stop()
            await plane.drain_shadows()
            await sink.close()
            await runtime.close()
            pool.close()
            await client.aclose()


@asynccontextmanager
async def _request_metrics(settings: ServingSettings, platform: Platform) -> AsyncIterator[RequestMetrics]:
    """Request metrics on /metrics, plus, with the PostgreSQL store, 10-second rollups written to the database."""
    store = settings.request_metrics_store
    if store == "auto":
        store = "postgres" if platform.mode == "standalone" else "none"
    dsn = platform.database_dsn or (settings.database.dsn.get_secret_value() if settings.database.dsn else None)
    if store == "none":
        yield RequestMetrics()
        return
    if dsn is None:
        raise ServiceUnavailable(
            "request metrics in PostgreSQL need a database: set WARDEN_SERVING_DATABASE__DSN "
            "(or WARDEN_SERVING_REQUEST_METRICS_STORE=none)"
        )
    # Its own small table, migrated by whoever opens it first (also with an external database: no `warden migrate`).
    await prepare_schema(dsn, rollup_store.SERVICE, rollup_store.migrations(), migrate=True)
    rollups = Rollups()
    retention = timedelta(hours=settings.request_metrics_retention_hours)
    async with open_pool(dsn, min_size=1, max_size=2, application_name="warden-serving-metrics") as db:
        writer = RollupWriter(rollups, db, retention, settings.request_metrics_flush_s)
        await writer.start()
        try:
            yield RequestMetrics(rollups)
        finally:
            await writer.stop()
