"""Model events leave through the transactional outbox: a change is answered once committed, even with the bus
down, and its event follows when the bus is back; a refused change emits nothing.

The PostgreSQL bus lives in a database of its own here (as a separate bus would in production), so the test can
take it down for real (connections refused and cut) while the metadata database stays up.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import httpx
import pytest
from prometheus_client import REGISTRY
from pydantic import SecretStr

from warden_common import topics
from warden_common.bus.factory import create_bus
from warden_common.codec import Event
from warden_common.events import MODEL_REGISTERED, MODEL_UPDATED
from warden_common.platform import Platform
from warden_common.settings import BusSettings
from warden_common.testing.servers.databases import create_database, drop_database, with_database
from warden_metadata.main import create_app
from warden_metadata.migrations import OUTBOX
from warden_metadata.settings import MetadataSettings

from .conftest import API, eventually

pytestmark = pytest.mark.integration


@dataclass
class Running:
    client: httpx.AsyncClient
    events: list[tuple[str, str]]  # (type, uri)
    dsn: str
    admin_dsn: str
    bus_database: str

    async def admin(self, sql: str) -> None:
        conn = await asyncpg.connect(self.admin_dsn)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    async def bus_down(self) -> None:
        await self.admin(f'ALTER DATABASE "{self.bus_database}" ALLOW_CONNECTIONS false')
        await self.admin(
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{self.bus_database}'"
        )

    async def bus_up(self) -> None:
        await self.admin(f'ALTER DATABASE "{self.bus_database}" ALLOW_CONNECTIONS true')

    async def pending(self) -> int:
        conn = await asyncpg.connect(self.dsn)
        try:
            return int(await conn.fetchval("SELECT count(*) FROM warden_metadata.outbox"))
        finally:
            await conn.close()

    def uris(self, type_: str) -> list[str]:
        return [uri for t, uri in self.events if t == type_]


@pytest.fixture
async def running(fresh_database: str, postgres_dsn: str, unique_name: str) -> AsyncIterator[Running]:
    bus_database = f"bus_{unique_name}"
    await create_database(postgres_dsn, bus_database)
    settings = BusSettings(kind="postgres", postgres_dsn=SecretStr(with_database(postgres_dsn, bus_database)))
    bus, reader = create_bus(settings), create_bus(settings)
    state = Running(httpx.AsyncClient(), [], fresh_database, postgres_dsn, bus_database)
    try:
        await bus.start()
        await reader.start()

        async def collect(event: Event) -> None:
            data = event.get_data()
            payload = json.loads(data) if isinstance(data, (bytes, str)) else data
            assert isinstance(payload, dict)
            state.events.append((event.get_type(), payload["uri"]))

        await reader.subscribe(topics.MODELS, group=f"test-{unique_name}", handler=collect)
        platform = Platform(mode="standalone", bus=bus, database_dsn=fresh_database)
        app = create_app(MetadataSettings(runtime_consumer_group=f"runtime-{unique_name}"), platform)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://metadata") as client:
                state.client = client
                try:
                    yield state
                finally:
                    await state.bus_up()
    finally:
        await reader.close()
        await bus.close()
        await drop_database(postgres_dsn, bus_database)


async def test_changes_are_answered_while_the_bus_is_down_and_their_events_follow(running: Running) -> None:
    first = {"URI": "s3://models/first", "name": "first", "version": "1"}
    assert (await running.client.post(API, json=first)).status_code == 200
    await eventually(lambda: running.uris(MODEL_REGISTERED) == [first["URI"]], "the first model's event")
    # The relay deletes a row only after the bus took it, so the reader can see the event first: wait for the row
    # to go, or it could still be pending below (and, were its publish cut by the outage, be published twice).
    await eventually(lambda: _pending_is_zero(running), "the first model's row gone from the outbox")

    await running.bus_down()
    second = {"URI": "s3://models/second", "name": "second", "version": "1"}
    created = await running.client.post(API, json=second)
    assert created.status_code == 200, created.text
    updated = await running.client.put(API, json={**second, "tags": {"stage": "prod"}})
    assert updated.status_code == 200, updated.text
    listed = await running.client.get(API, params={"name": "second"})
    assert [m["tags"] for m in listed.json()["models"]] == [{"stage": "prod"}]  # the change is there already
    assert await running.pending() == 2  # and its events wait in the outbox

    await running.bus_up()
    await eventually(lambda: len(running.events) >= 3, "the events kept in the outbox while the bus was down")
    assert running.events == [
        (MODEL_REGISTERED, first["URI"]),
        (MODEL_REGISTERED, second["URI"]),
        (MODEL_UPDATED, second["URI"]),
    ]
    await eventually(lambda: _pending_is_zero(running), "an empty outbox")


async def test_a_refused_change_emits_nothing(running: Running) -> None:
    published_before = _published()
    model = {"URI": "s3://models/one", "name": "one", "version": "1"}
    assert (await running.client.post(API, json=model)).status_code == 200
    clash = await running.client.post(API, json={**model, "URI": "s3://models/other"})  # same name and version
    assert clash.status_code == 409, clash.text
    missing = await running.client.put(API, json={"URI": "s3://models/none", "name": "none"})
    assert missing.status_code == 404, missing.text
    marker = {"URI": "s3://models/marker", "name": "marker", "version": "1"}
    assert (await running.client.post(API, json=marker)).status_code == 200
    # Rows leave in id order, so any row of the refused changes (older than the marker's) would be counted by the
    # time the marker's is: exactly two rows published means they left nothing behind.
    await eventually(
        lambda: _published() - published_before >= 2 and len(running.events) >= 2, "the two accepted changes' events"
    )
    assert _published() - published_before == 2
    assert sorted(running.events) == sorted([(MODEL_REGISTERED, model["URI"]), (MODEL_REGISTERED, marker["URI"])])


def _published() -> float:
    return REGISTRY.get_sample_value("warden_outbox_published_total", {"outbox": OUTBOX.table}) or 0.0


async def _pending_is_zero(running: Running) -> bool:
    return await running.pending() == 0
