"""Entry point of the request-logger service: `create_app` is what `warden serve request-logger` and `warden up` run."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI

from warden_common.errors import ServiceUnavailable
from warden_common.logstore.lingering import LingeringWriter
from warden_common.observability import add_readiness_check
from warden_common.platform import Platform
from warden_common.service_app import ServiceSetup, create_service_app
from warden_common.upstreams import open_upstreams
from warden_request_logger.api.routes import ingest, monitor, search
from warden_request_logger.consumers.inference import InferenceConsumer
from warden_request_logger.consumers.schema_changes import SchemaChangeConsumer
from warden_request_logger.documents import DocumentBuilder
from warden_request_logger.enrichment import SchemaLookup
from warden_request_logger.lives import GATEWAY, CurrentLives
from warden_request_logger.service import RequestLoggerService
from warden_request_logger.settings import RequestLoggerSettings
from warden_request_logger.stores import create_log_store, store_kind

logger = logging.getLogger(__name__)

METADATA = "metadata"


def _setup(settings: RequestLoggerSettings) -> ServiceSetup:
    @asynccontextmanager
    async def setup(app: FastAPI, platform: Platform) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            upstreams = await stack.enter_async_context(open_upstreams(settings, platform))
            store = create_log_store(settings, platform)
            await store.start()
            stack.push_async_callback(store.close)
            add_readiness_check(app, "log_store", store.ready)
            # Closed after the consumers stopped (stack order), before the store: what it holds is written.
            writer = LingeringWriter(store.write, max_items=settings.write_max_items, linger_s=settings.write_linger_s)
            stack.push_async_callback(writer.close)
            schemas: SchemaLookup | None = None
            try:
                metadata = upstreams.client(METADATA)
            except ServiceUnavailable as exc:
                logger.warning("logging without prediction schemas: %s", exc.message)
            else:
                schemas = SchemaLookup(
                    lambda: metadata,
                    ttl_s=settings.schema_ttl_s,
                    miss_ttl_s=settings.schema_miss_ttl_s,
                    timeout_s=settings.schema_timeout_s,
                )
            lives: CurrentLives | None = CurrentLives(upstreams)
            if not upstreams.configured(GATEWAY):
                lives = None
                logger.warning("searches by deployment name show every deployment that had the name: the gateway "
                               "is not configured (WARDEN_LOGGER_UPSTREAMS__GATEWAY)")  # fmt: skip
            kind = store_kind(settings, platform)
            # The compiled parts are OpenSearch's document parts; the PostgreSQL store reads the parts themselves.
            builder = DocumentBuilder(max_payload_bytes=settings.max_payload_bytes,
                                      compiled_parts=kind == "opensearch")  # fmt: skip
            service = RequestLoggerService(store, builder, schemas, lives, writer=writer, store_name=kind)
            input_topics = list(settings.input_topics)
            if settings.seldon_kafka_topic and platform.mode == "distributed":
                input_topics.append(settings.seldon_kafka_topic)
            consumer = InferenceConsumer(service, platform.bus, group=settings.consumer_group,
                                         max_batch=settings.max_batch)  # fmt: skip
            subscriptions = await consumer.start(input_topics)
            if schemas is not None:
                changes = SchemaChangeConsumer(schemas, platform.bus, instance_id=settings.instance_id)
                subscriptions += await changes.start()
            for subscription in reversed(subscriptions):  # stopped before the store closes (stack order)
                stack.push_async_callback(subscription.stop)
            app.state.logger_service = service
            try:
                yield
            finally:
                app.state.logger_service = None

    return setup


def create_app(settings: RequestLoggerSettings | None = None, platform: Platform | None = None) -> FastAPI:
    settings = settings or RequestLoggerSettings()
    return create_service_app(
        "request-logger",
        settings=settings,
        platform=platform,
        routers=[ingest.router, search.router, monitor.router],
        setup=_setup(settings),
    )
