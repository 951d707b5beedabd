"""A real metadata app on a fresh PostgreSQL database and a real bus, driven in-process over ASGI."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from warden_common.bus.factory import create_bus
from warden_common.bus.port import Bus
from warden_common.codec import Event
from warden_common.platform import Platform
from warden_common.settings import BusSettings, RetryPolicy
from warden_common.testing.waiting import eventually as poll_until
from warden_metadata.main import create_app
from warden_metadata.settings import MetadataSettings

API = "/api/v1alpha1/model/metadata"
WAIT_S = 60.0
FAST_RETRY = RetryPolicy(max_attempts=3, initial_backoff_s=0.05, max_backoff_s=0.2)


@dataclass
class MetadataHarness:
    app: FastAPI
    client: httpx.AsyncClient
    bus: Bus
    dsn: str


eventually = functools.partial(poll_until, within_s=WAIT_S)
"""The shared `eventually` with this suite's wait (a Kafka consumer group takes a while to form)."""


@pytest.fixture(params=["postgres"])
def bus_settings(request: pytest.FixtureRequest, fresh_database: str, unique_name: str) -> BusSettings:
    if request.param == "kafka":
        bootstrap = request.getfixturevalue("kafka_bootstrap")
        # The test's own namespace: the runtime consumer's fresh group starts at the earliest record, so on the
        # shared fixed `deployments` topic it would replay what other tests (and earlier runs) published there.
        return BusSettings(
            kind="kafka", kafka_bootstrap=bootstrap, kafka_namespace=f"{unique_name}.", partitions=2, retry=FAST_RETRY
        )
    return BusSettings(kind="postgres", postgres_dsn=SecretStr(fresh_database), partitions=2, retry=FAST_RETRY)


@pytest.fixture
async def harness(fresh_database: str, bus_settings: BusSettings, unique_name: str) -> AsyncIterator[MetadataHarness]:
    bus = create_bus(bus_settings)
    await bus.start()
    try:
        platform = Platform(mode="standalone", bus=bus, database_dsn=fresh_database)
        # A unique group per test (on Kafka, `bus_settings` also gives the test topics of its own).
        settings = MetadataSettings(runtime_consumer_group=f"metadata-runtime-{unique_name}")
        app = create_app(settings=settings, platform=platform)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://metadata") as client:
                yield MetadataHarness(app, client, bus, fresh_database)
    finally:
        await bus.close()


@pytest.fixture
async def collected_events(harness: MetadataHarness, unique_name: str) -> AsyncIterator[list[Event]]:
    """Every event the service publishes on the models topic during the test (read by our own group)."""
    from warden_common import topics

    events: list[Event] = []

    async def collect(event: Event) -> None:
        events.append(event)

    subscription = await harness.bus.subscribe(topics.MODELS, group=f"test-{unique_name}", handler=collect)
    yield events
    await subscription.stop()
