"""The transactional outbox on real PostgreSQL and a real bus (the PostgreSQL bus in its own database, and Kafka).

Each test has its own outbox schema (so its metrics have their own label), database, topic and consumer group.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import asyncpg
import pytest
from cloudevents.core.v1.event import CloudEvent
from prometheus_client import REGISTRY
from pydantic import SecretStr

from warden_common.bus.factory import create_bus
from warden_common.bus.port import Bus
from warden_common.codec import Event
from warden_common.db import Migration, Outbox, OutboxRelay, apply_migrations, merge_migrations, open_pool
from warden_common.db.outbox import OUTBOX_TABLE_DDL_V1
from warden_common.settings import BusSettings, RetryPolicy
from warden_common.testing.events import sample_event
from warden_common.testing.servers.databases import create_database, drop_database, with_database
from warden_common.testing.waiting import eventually as poll_until

pytestmark = pytest.mark.integration

WAIT_S = 60.0
eventually = functools.partial(poll_until, within_s=WAIT_S)
FAST_BACKOFF = RetryPolicy(initial_backoff_s=0.05, max_backoff_s=0.5)
PINNED_DDL_SHA256 = "5933c1b24523bf2be679d2035f16032361854a7a74ac5d9e8360e5100e2168a9"


def make_event(key: str, seq: int) -> CloudEvent:
    return sample_event("/tests/outbox", key=key, seq=seq)


@dataclass
class Setup:
    """An application database with an outbox, a bus, a topic and what a subscriber read from it."""

    dsn: str
    pool: asyncpg.Pool
    outbox: Outbox
    bus_settings: BusSettings
    bus: Bus
    topic: str
    received: list[tuple[str, int]] = field(default_factory=list)
    relays: list[OutboxRelay] = field(default_factory=list)

    async def relay(self, pool: asyncpg.Pool | None = None, bus: Bus | None = None) -> OutboxRelay:
        relay = OutboxRelay(
            pool or self.pool, self.outbox, bus or self.bus, poll_interval_s=0.2, batch_size=7,
            publish_timeout_s=3.0, backoff=FAST_BACKOFF,
        )  # fmt: skip
        await relay.start()
        self.relays.append(relay)
        return relay

    async def enqueue(self, conn: asyncpg.Connection, key: str, seq: int) -> None:
        await self.outbox.enqueue(conn, make_event(key, seq), topic=self.topic, key=key)

    async def commit_events(self, key: str, seqs: range) -> None:
        """Each event in its own transaction, with the application's own write, as a service would do it."""
        async with self.pool.acquire() as conn:
            for seq in seqs:
                async with conn.transaction():
                    await conn.execute(f"INSERT INTO {self.outbox.schema}.things VALUES ($1)", f"{key}-{seq}")
                    await self.enqueue(conn, key, seq)

    def seqs_of(self, key: str) -> list[int]:
        return [seq for k, seq in self.received if k == key]

    def has_seqs(self, key: str, count: int) -> bool:
        return len(self.seqs_of(key)) >= count

    def metric(self, name: str) -> float | None:
        return REGISTRY.get_sample_value(name, {"outbox": self.outbox.table})

    async def pending_rows(self) -> int:
        return int(await self.pool.fetchval(f"SELECT count(*) FROM {self.outbox.table}"))

    async def drained(self, published: int | None = None) -> None:
        """Wait until the relay deleted every row it published (and counted `published` in all). It deletes a row
        after the bus took it, so a subscriber can see an event before its row is gone; the counter follows the
        delete and the gauge is set after each pass, so they lag too."""
        if published is not None:
            await eventually(
                lambda: self.metric("warden_outbox_published_total") == published, f"{published} rows counted"
            )
        await eventually(lambda: self._no_rows_left(), "every published row deleted from the outbox")
        await eventually(lambda: self.metric("warden_outbox_pending") == 0, "the pending gauge back at 0")

    async def _no_rows_left(self) -> bool:
        return await self.pending_rows() == 0


def app_migrations(outbox: Outbox) -> list[Migration]:
    things = Migration(1, "things", f"CREATE SCHEMA {outbox.schema}; CREATE TABLE {outbox.schema}.things (name text)")
    return merge_migrations([things], [outbox.migration(2)])


@pytest.fixture
async def bus_database(postgres_dsn: str, unique_name: str) -> AsyncIterator[str]:
    """A database of its own for the PostgreSQL bus, so a test can take the bus down without the application."""
    name = f"bus_{unique_name}"
    await create_database(postgres_dsn, name)
    try:
        yield with_database(postgres_dsn, name)
    finally:
        await drop_database(postgres_dsn, name)


@pytest.fixture(params=["postgres", "kafka"])
def bus_settings(request: pytest.FixtureRequest, unique_name: str) -> BusSettings:
    if request.param == "kafka":
        bootstrap = request.getfixturevalue("kafka_bootstrap")
        return BusSettings(kind="kafka", kafka_bootstrap=bootstrap, kafka_namespace=f"{unique_name}.", partitions=3)
    return BusSettings(kind="postgres", postgres_dsn=SecretStr(request.getfixturevalue("bus_database")), partitions=3)


@pytest.fixture
async def setup(
    fresh_database: str, bus_settings: BusSettings, unique_name: str, request: pytest.FixtureRequest
) -> AsyncIterator[Setup]:
    outbox = Outbox(f"ob_{unique_name}")
    assert await apply_migrations(fresh_database, "outbox-test", app_migrations(outbox)) == [1, 2]
    topic = request.getfixturevalue("kafka_topic_factory")(3) if bus_settings.kind == "kafka" else "outbox.test"
    bus = create_bus(bus_settings)
    await bus.start()
    try:
        async with open_pool(fresh_database, max_size=4) as pool:
            state = Setup(fresh_database, pool, outbox, bus_settings, bus, topic)

            async def collect(event: Event) -> None:
                data = event.get_data()
                payload = json.loads(data) if isinstance(data, (bytes, str)) else data
                assert isinstance(payload, dict)
                state.received.append((payload["key"], payload["seq"]))

            await bus.subscribe(topic, group=f"reader-{unique_name}", handler=collect)
            try:
                yield state
            finally:
                for relay in state.relays:
                    await relay.stop()
    finally:
        await bus.close()


async def test_events_leave_only_after_commit_in_order_per_key(setup: Setup) -> None:
    await setup.relay()
    async with setup.pool.acquire() as conn:
        open_tx = conn.transaction()
        await open_tx.start()
        await setup.enqueue(conn, "held", 0)
        # A later transaction commits first: its event goes out, the open one's (an older row id) does not.
        await setup.commit_events("marker", range(1))
        await eventually(lambda: setup.seqs_of("marker") == [0], "the committed event published")
        assert setup.seqs_of("held") == []  # the relay read past the uncommitted row without publishing it
        await open_tx.commit()
    await eventually(lambda: setup.seqs_of("held") == [0], "the event published once its transaction committed")

    await asyncio.gather(*(setup.commit_events(key, range(20)) for key in ("a", "b", "c")))
    for key in ("a", "b", "c"):
        await eventually(functools.partial(setup.has_seqs, key, 20), f"20 events of {key}")
        assert setup.seqs_of(key) == list(range(20))
    await setup.drained(published=62)


async def test_a_rolled_back_transaction_emits_nothing(setup: Setup) -> None:
    await setup.relay()
    with pytest.raises(RuntimeError, match="boom"):
        async with setup.pool.acquire() as conn, conn.transaction():
            await setup.enqueue(conn, "doomed", 0)
            raise RuntimeError("boom")
    await setup.commit_events("marker", range(1))
    await eventually(lambda: setup.seqs_of("marker") == [0], "the marker published")
    await setup.drained(published=1)  # the marker: the doomed row was never stored
    assert setup.seqs_of("doomed") == []


async def test_enqueue_outside_a_transaction_is_refused(setup: Setup) -> None:
    async with setup.pool.acquire() as conn:
        with pytest.raises(RuntimeError, match="transaction"):
            await setup.enqueue(conn, "loose", 0)
    assert await setup.pending_rows() == 0


class Outage:
    """Takes the bus the relay publishes through down and brings it back, for real."""

    def __init__(self, setup: Setup, admin_dsn: str) -> None:
        self._setup = setup
        self._admin_dsn = admin_dsn
        self.bus = create_bus(setup.bus_settings)

    async def begin(self) -> None:
        if self._setup.bus_settings.kind == "kafka":
            await self.bus.close()  # its producer is gone: every publish fails until it is started again
            return
        # The PostgreSQL bus's database refuses every connection and loses the ones it had.
        name = _database_of(self._setup.bus_settings)
        await _admin(self._admin_dsn, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await _admin(
            self._admin_dsn, f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
        )

    async def end(self) -> None:
        if self._setup.bus_settings.kind == "kafka":
            await self.bus.start()
            return
        await _admin(
            self._admin_dsn, f'ALTER DATABASE "{_database_of(self._setup.bus_settings)}" ALLOW_CONNECTIONS true'
        )


def _database_of(settings: BusSettings) -> str:
    assert settings.postgres_dsn is not None
    return settings.postgres_dsn.get_secret_value().rsplit("/", 1)[-1].split("?")[0]


async def _admin(dsn: str, sql: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture
async def outage(setup: Setup, postgres_dsn: str) -> AsyncIterator[Outage]:
    outage = Outage(setup, postgres_dsn)
    await outage.bus.start()
    try:
        yield outage
    finally:
        await outage.end()  # idempotent: leaves the bus up (and the database droppable)
        for relay in setup.relays:
            await relay.stop()  # before the bus it publishes through closes
        await outage.bus.close()


async def test_changes_commit_while_the_bus_is_down_and_their_events_follow_when_it_is_back(
    setup: Setup, outage: Outage
) -> None:
    relay = await setup.relay(bus=outage.bus)
    await setup.commit_events("before", range(2))
    await eventually(lambda: setup.seqs_of("before") == [0, 1], "events published while the bus is up")
    await setup.drained()  # their rows too, so the outage cannot cut a publish the subscriber already saw

    failures_before = setup.metric("warden_outbox_publish_failures_total") or 0.0
    await outage.begin()
    await setup.commit_events("during", range(5))  # the writes succeed: nothing waits for the bus
    assert int(await setup.pool.fetchval(f"SELECT count(*) FROM {setup.outbox.schema}.things")) == 7
    await eventually(
        lambda: (setup.metric("warden_outbox_publish_failures_total") or 0.0) > failures_before,
        "the relay tried the bus and failed",
    )
    await eventually(lambda: setup.metric("warden_outbox_pending") == 5, "the pending gauge counting the backlog")
    assert await setup.pending_rows() == 5 and relay.is_leader

    await outage.end()
    await eventually(lambda: len(setup.seqs_of("during")) >= 5, "the backlog delivered once the bus is back")
    assert setup.seqs_of("during") == list(range(5))
    await setup.drained()


async def test_two_relays_never_publish_a_key_out_of_order(setup: Setup) -> None:
    """Two replicas' relays, each with its own pool; the leader is stopped halfway and the other takes over."""
    async with open_pool(setup.dsn, max_size=2) as other_pool:
        first, second = await setup.relay(), await setup.relay(pool=other_pool)
        both_led = False

        async def watch_leaders() -> None:
            nonlocal both_led
            while True:
                both_led = both_led or (first.is_leader and second.is_leader)
                await asyncio.sleep(0.01)

        watcher = asyncio.create_task(watch_leaders())
        keys = [f"k{i}" for i in range(4)]
        writers = asyncio.gather(*(setup.commit_events(key, range(40)) for key in keys))
        try:
            await eventually(lambda: all(len(setup.seqs_of(k)) >= 10 for k in keys), "the first events published")
            leader, standby = (first, second) if first.is_leader else (second, first)
            await leader.stop()
            await writers
            await eventually(lambda: standby.is_leader, "the standby taking over")
            for key in keys:
                await eventually(functools.partial(setup.has_seqs, key, 40), f"every event of {key}")
                assert setup.seqs_of(key) == list(range(40))
            assert not both_led
        finally:
            watcher.cancel()
            writers.cancel()
            await second.stop()  # it holds a connection of `other_pool`, which waits for it when closing


async def test_relay_refuses_to_start_without_its_table(setup: Setup) -> None:
    missing = OutboxRelay(setup.pool, Outbox("no_such_schema"), setup.bus)
    with pytest.raises(RuntimeError, match=r"no_such_schema\.outbox does not exist"):
        await missing.start()


async def test_the_outbox_table_ddl_is_frozen(setup: Setup) -> None:
    """Services' applied migrations carry this text's checksum: editing it would stop them from starting."""
    assert hashlib.sha256(OUTBOX_TABLE_DDL_V1.encode()).hexdigest() == PINNED_DDL_SHA256
    recorded = await setup.pool.fetchval(
        "SELECT checksum FROM public.schema_migrations WHERE service = 'outbox-test' AND version = 2"
    )
    assert recorded == setup.outbox.migration(2).checksum
