"""Retention of the standalone bus (bus/postgres_retention.py) against a real PostgreSQL.

Records are made "old" by moving their `appended_at` back, so nothing waits for real time to pass; a test waits
for a retention pass that started after the ageing (`RetentionTask.passes`) before it looks at what is left.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import pytest
from prometheus_client import REGISTRY
from pydantic import SecretStr

from warden_common.bus.port import BusRecord
from warden_common.bus.postgres import PostgresBus
from warden_common.bus.postgres_retention import RetentionPolicy, RetentionTask
from warden_common.bus.postgres_sql import BusSql
from warden_common.settings import BusSettings, ServiceSettings
from warden_common.testing.waiting import eventually as poll_until
from warden_common.topics import dead_letter_topic

WAIT_S = 60.0
eventually = functools.partial(poll_until, within_s=WAIT_S)
integration = pytest.mark.integration

BusMaker = Callable[..., Any]


@pytest.fixture
def settings(fresh_database: str, unique_name: str) -> BusSettings:
    return BusSettings(
        kind="postgres", postgres_dsn=SecretStr(fresh_database), postgres_schema=f"bus_{unique_name}", partitions=1
    )


@pytest.fixture
async def make_bus(settings: BusSettings) -> AsyncIterator[BusMaker]:
    """Started `PostgresBus`es whose retention runs every 50 ms; keyword arguments override settings fields."""
    started: list[PostgresBus] = []

    async def make(retention_chunk: int = 5000, **overrides: Any) -> PostgresBus:
        bus = PostgresBus(
            settings.model_copy(update=overrides),
            poll_interval_s=0.1,
            group_tick_s=0.2,
            retention_interval_s=0.05,
            retention_chunk=retention_chunk,
        )
        await bus.start()
        started.append(bus)
        return bus

    yield make
    for bus in reversed(started):
        await bus.close()


@pytest.fixture
async def db(fresh_database: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(fresh_database)
    yield conn
    await conn.close()


def record(topic: str, n: int, key: bytes = b"k") -> BusRecord:
    return BusRecord(topic=topic, partition=0, offset=0, key=key, value=f"value-{n}".encode())


async def publish(bus: PostgresBus, topic: str, numbers: range, key: bytes = b"k") -> None:
    for n in numbers:  # one after another: offsets follow `numbers`
        await bus.publish_record(record(topic, n, key))


async def age(db: asyncpg.Connection, schema: str, topic: str, *, below_offset: int | None = None) -> None:
    """Make records of `topic` (those below `below_offset`, if given) look 30 days old."""
    await db.execute(
        f"""UPDATE {schema}.records SET appended_at = now() - interval '30 days'
            WHERE topic = $1 AND ($2::bigint IS NULL OR "offset" < $2)""",
        topic,
        below_offset,
    )


async def stored(db: asyncpg.Connection, schema: str, topic: str) -> list[tuple[int, int]]:
    rows = await db.fetch(
        f"""SELECT partition, "offset" FROM {schema}.records WHERE topic = $1 ORDER BY partition, "offset" """, topic
    )
    return [(row["partition"], row["offset"]) for row in rows]


async def next_pass(bus: PostgresBus) -> None:
    """Wait until a whole retention pass ran after this call (the one in progress may have started earlier)."""
    assert bus.retention is not None
    task = bus.retention
    target = task.passes + 2
    await eventually(lambda: task.passes >= target, "a retention pass after the ageing")


def deleted_metric(topic: str) -> float:
    return REGISTRY.get_sample_value("warden_bus_retention_deleted_total", {"topic": topic}) or 0.0


# -- pure logic --


def test_policy_follows_the_settings_and_zero_means_no_limit() -> None:
    assert RetentionPolicy.from_settings(BusSettings()) == RetentionPolicy(max_age_s=168 * 3600, max_records=None)
    assert RetentionPolicy.from_settings(BusSettings(retention_hours=0.5, retention_max_records=100)) == (
        RetentionPolicy(max_age_s=1800, max_records=100)
    )
    disabled = RetentionPolicy.from_settings(BusSettings(retention_hours=0, retention_max_records=0))
    assert disabled == RetentionPolicy(max_age_s=None, max_records=None)
    assert not disabled.enabled


def test_retention_is_set_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARDEN_BUS__RETENTION_HOURS", "0")
    monkeypatch.setenv("WARDEN_BUS__RETENTION_MAX_RECORDS", "1000")
    bus = ServiceSettings().bus
    assert (bus.retention_hours, bus.retention_max_records) == (0, 1000)


def test_negative_retention_is_refused() -> None:
    with pytest.raises(ValueError, match="retention_hours"):
        BusSettings(retention_hours=-1)


# -- against PostgreSQL --


@integration
async def test_records_older_than_retention_are_deleted_dead_letters_included_and_newer_kept(
    make_bus: BusMaker, db: asyncpg.Connection, settings: BusSettings, unique_name: str
) -> None:
    schema, topic = settings.postgres_schema, f"events-{unique_name}"
    dlq = dead_letter_topic(topic)
    bus = await make_bus()
    await publish(bus, topic, range(5))
    await publish(bus, dlq, range(3))
    await age(db, schema, topic)
    await age(db, schema, dlq)
    await publish(bus, topic, range(5, 8))
    await publish(bus, dlq, range(3, 4))

    await next_pass(bus)

    assert await stored(db, schema, topic) == [(0, 5), (0, 6), (0, 7)]
    assert await stored(db, schema, dlq) == [(0, 3)]
    assert (deleted_metric(topic), deleted_metric(dlq)) == (5, 3)


@integration
async def test_retention_disabled_keeps_every_record(
    make_bus: BusMaker, db: asyncpg.Connection, settings: BusSettings, unique_name: str
) -> None:
    schema, topic = settings.postgres_schema, f"events-{unique_name}"
    bus = await make_bus(retention_hours=0)
    await publish(bus, topic, range(4))
    await age(db, schema, topic)

    await next_pass(bus)

    assert await stored(db, schema, topic) == [(0, 0), (0, 1), (0, 2), (0, 3)]


@integration
async def test_max_records_keeps_the_newest_records_of_each_partition(
    make_bus: BusMaker, db: asyncpg.Connection, settings: BusSettings, unique_name: str
) -> None:
    schema, topic = settings.postgres_schema, f"events-{unique_name}"
    bus = await make_bus(partitions=2, retention_max_records=3, retention_chunk=2)
    # Of two partitions, key b"k4" lands on partition 0 and b"k0" on partition 1 (`partition_for_key`).
    await publish(bus, topic, range(7), key=b"k4")
    await publish(bus, topic, range(2), key=b"k0")

    await next_pass(bus)

    assert await stored(db, schema, topic) == [(0, 4), (0, 5), (0, 6), (1, 0), (1, 1)]


@integration
async def test_passes_of_two_processes_in_small_chunks_delete_each_old_record_once(
    make_bus: BusMaker, db: asyncpg.Connection, settings: BusSettings, fresh_database: str, unique_name: str
) -> None:
    schema, topic = settings.postgres_schema, f"events-{unique_name}"
    bus = await make_bus(retention_hours=0)  # creates the schema; its own passes delete nothing
    await publish(bus, topic, range(40))
    await age(db, schema, topic, below_offset=30)
    policy = RetentionPolicy(max_age_s=3600.0, max_records=None)
    pools = [await asyncpg.create_pool(fresh_database, min_size=1, max_size=2) for _ in range(2)]
    try:
        tasks = [RetentionTask(pool, BusSql(schema), policy, chunk=4) for pool in pools]
        deleted = await asyncio.gather(*(task.run_once() for task in tasks))
        deleted_after = await asyncio.gather(*(task.run_once() for task in tasks))
    finally:
        for pool in pools:
            await pool.close()

    assert sum(deleted) + sum(deleted_after) == 30
    assert await stored(db, schema, topic) == [(0, offset) for offset in range(30, 40)]


@integration
async def test_group_whose_position_was_deleted_continues_at_the_earliest_record_left(
    make_bus: BusMaker, db: asyncpg.Connection, settings: BusSettings, unique_name: str
) -> None:
    schema, topic, group = settings.postgres_schema, f"events-{unique_name}", f"g-{unique_name}"
    bus = await make_bus()
    received: list[int] = []

    async def handle(got: BusRecord) -> None:
        received.append(got.offset)

    await publish(bus, topic, range(3))
    subscription = await bus.subscribe_records(topic, group=group, handler=handle)
    await eventually(lambda: received == [0, 1, 2], "the first three records")
    await subscription.stop()  # committed offset: 3
    await publish(bus, topic, range(3, 10))
    await age(db, schema, topic, below_offset=7)  # the group's position (3) and the next four go

    await next_pass(bus)
    assert await stored(db, schema, topic) == [(0, 7), (0, 8), (0, 9)]

    received.clear()
    await bus.subscribe_records(topic, group=group, handler=handle)
    await eventually(lambda: len(received) >= 3, "the records left after retention")
    await publish(bus, topic, range(10, 11))  # and the gap does not stop later records
    await eventually(lambda: len(received) >= 4, "a record published after the gap")
    assert received == [7, 8, 9, 10]


@integration
async def test_publishing_and_consuming_go_on_while_retention_deletes(
    make_bus: BusMaker, db: asyncpg.Connection, settings: BusSettings, unique_name: str
) -> None:
    schema, topic, old_topic = settings.postgres_schema, f"events-{unique_name}", f"old-{unique_name}"
    keys = [f"key-{k}".encode() for k in range(4)]
    bus = await make_bus(partitions=4, retention_chunk=50)
    await asyncio.gather(*(bus.publish_record(record(old_topic, n, keys[n % 4])) for n in range(2000)))
    received: dict[bytes, list[bytes]] = {key: [] for key in keys}

    async def handle(got: BusRecord) -> None:
        assert got.key is not None
        received[got.key].append(got.value)

    await bus.subscribe_records(topic, group=f"g-{unique_name}", handler=handle)
    await age(db, schema, old_topic)  # 2000 old records: 40 chunks of retention work from here on

    for n in range(100):
        await asyncio.gather(*(bus.publish_record(record(topic, n, key)) for key in keys))

    expected = [f"value-{n}".encode() for n in range(100)]
    await eventually(lambda: all(len(values) >= 100 for values in received.values()), "every new record consumed")
    assert received == {key: expected for key in keys}
    await next_pass(bus)
    assert await stored(db, schema, old_topic) == []
    assert len(await stored(db, schema, topic)) == 400


@integration
async def test_a_bus_schema_made_before_retention_gains_its_index_at_start(
    make_bus: BusMaker, db: asyncpg.Connection, settings: BusSettings
) -> None:
    schema = settings.postgres_schema
    first = await make_bus()
    await first.close()
    await db.execute(f"DROP INDEX {schema}.records_by_age")  # the schema as an older version left it

    await make_bus()

    indexes = await db.fetch("SELECT indexname FROM pg_indexes WHERE schemaname = $1", schema)
    assert "records_by_age" in {row["indexname"] for row in indexes}
