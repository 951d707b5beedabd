"""`PostgresBus`: the durable standalone bus, a partitioned log in PostgreSQL tables.

- Storage (`postgres_sql`): one schema, created idempotently at `start()`; a topic gets `BusSettings.partitions`
  partitions the first time it is used. A record's partition is a stable hash of its key (keyless records go
  round-robin), so same-key records keep their order.
- Publishing (`postgres_writer`): `publish` returns once the transaction holding the record has committed with
  `synchronous_commit=on`, i.e. it is on disk; concurrent publishes share one transaction (group commit).
- Consuming (`postgres_consumer`, `postgres_group`): each subscription is a group member that owns a fair share
  of the partitions through session-level advisory locks and delivers each partition in order; offsets per
  (group, topic, partition) are committed after delivery. LISTEN/NOTIFY wakes consumers at once; they also poll
  (`poll_interval_s`) in case a notification is missed.
- A PostgreSQL that is away at `start()` does not stop the service: the bus connects in the background
  (`BackgroundConnection`, as `KafkaBus` does), not ready and refusing publishes until then.
- Retention (`postgres_retention`): a background task deletes records older than `BusSettings.retention_hours`
  (7 days by default; 0 keeps them forever) and, optionally, beyond `retention_max_records` per partition, in
  short chunks that never block publishers or consumers. A group whose position was deleted continues at the
  earliest record left, as Kafka does; committed offsets are not rewritten.
"""

from __future__ import annotations

import asyncio
import itertools
import logging

import asyncpg

from warden_common.bus.base import BusAdapter, Headers
from warden_common.bus.connecting import BackgroundConnection
from warden_common.bus.delivery import RunDelivery
from warden_common.bus.port import Subscription
from warden_common.bus.postgres_consumer import AppendListener, PartitionWorker
from warden_common.bus.postgres_group import PostgresSubscription
from warden_common.bus.postgres_retention import RetentionPolicy, RetentionTask
from warden_common.bus.postgres_sql import BusSql, partition_for_key
from warden_common.bus.postgres_writer import GroupCommitWriter, PendingRecord
from warden_common.settings import BusSettings

logger = logging.getLogger(__name__)


class PostgresBus(BusAdapter):
    """The `Bus` port on PostgreSQL (asyncpg)."""

    def __init__(
        self,
        settings: BusSettings,
        *,
        dsn: str | None = None,
        pool_size: int = 10,
        poll_interval_s: float = 1.0,
        group_tick_s: float = 1.0,
        stop_grace_s: float = 30.0,
        retention_interval_s: float = 300.0,
        retention_chunk: int = 5000,
    ) -> None:
        secret = settings.postgres_dsn.get_secret_value() if settings.postgres_dsn is not None else None
        resolved = dsn or secret
        if not resolved:
            raise ValueError("PostgresBus needs BusSettings.postgres_dsn")
        self._dsn = resolved
        self._settings = settings
        self._sql = BusSql(settings.postgres_schema)
        self._pool_size = pool_size
        self._poll_interval_s = poll_interval_s
        self._group_tick_s = group_tick_s
        self._stop_grace_s = stop_grace_s
        self._retention_interval_s = retention_interval_s
        self._retention_chunk = retention_chunk
        self._pool: asyncpg.Pool | None = None
        self._writer: GroupCommitWriter | None = None
        self._listener: AppendListener | None = None
        self._retention: RetentionTask | None = None
        self._topic_partitions: dict[str, int] = {}
        self._round_robin = itertools.count()
        self._subscriptions: list[PostgresSubscription] = []
        self._connection = BackgroundConnection(
            what="the bus's PostgreSQL", connect=self._connect,
            transient=(OSError, asyncpg.CannotConnectNowError, asyncpg.InterfaceError, TimeoutError),
        )  # fmt: skip

    async def start(self) -> None:
        await self._connection.start()

    async def _connect(self) -> None:
        """Pool, schema, writer and listener (all or nothing: a half-open set is closed again)."""
        pool = await asyncpg.create_pool(
            self._dsn,
            min_size=1,
            max_size=self._pool_size,
            # Durability of `publish` must not depend on how the server or database happens to be configured.
            server_settings={"synchronous_commit": "on"},
        )
        try:
            await self._create_schema(pool)
        except BaseException:
            await pool.close()
            raise
        self._pool = pool
        self._writer = GroupCommitWriter(self._pool, self._sql)
        self._writer.start()
        self._listener = AppendListener(self._dsn, self._sql)
        self._listener.start()
        self._retention = RetentionTask(
            pool, self._sql, RetentionPolicy.from_settings(self._settings),
            interval_s=self._retention_interval_s, chunk=self._retention_chunk,
        )  # fmt: skip
        self._retention.start()

    async def close(self) -> None:
        await self._connection.close()
        if self._retention is not None:
            await self._retention.close()
            self._retention = None
        subscriptions, self._subscriptions = self._subscriptions, []
        for subscription in subscriptions:
            await subscription.stop()
        if self._writer is not None:
            await self._writer.close()
            self._writer = None
        if self._listener is not None:
            await self._listener.close()
            self._listener = None
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    @property
    def retention(self) -> RetentionTask | None:
        """The retention task while connected (tests wait on its `passes`)."""
        return self._retention

    async def ready(self) -> bool:
        if not self._connection.ready or self._pool is None or self._writer is None:
            return False
        try:
            await asyncio.wait_for(self._pool.fetchval("SELECT 1"), timeout=2.0)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
            return False
        return True

    async def _join(self, topic: str, group: str, delivery: RunDelivery, *, fetch_size: int) -> Subscription:
        if not self._connection.connected:
            return self._connection.defer(lambda: self._join(topic, group, delivery, fetch_size=fetch_size))
        pool, listener = self._pool, self._listener
        if pool is None or listener is None:
            raise RuntimeError("PostgresBus.start() was not called")
        partitions = await self._partitions_of(topic)

        def make_worker(partition: int) -> PartitionWorker:
            return PartitionWorker(
                pool=pool,
                sql=self._sql,
                listener=listener,
                topic=topic,
                group=group,
                partition=partition,
                delivery=delivery,
                commit=subscription.commit,
                poll_interval_s=self._poll_interval_s,
                batch_size=fetch_size,
            )

        subscription = PostgresSubscription(
            dsn=self._dsn,
            sql=self._sql,
            topic=topic,
            group=group,
            partitions=partitions,
            make_worker=make_worker,
            tick_s=self._group_tick_s,
            stop_grace_s=self._stop_grace_s,
        )
        await subscription.start()
        self._subscriptions.append(subscription)
        return subscription

    async def _append(self, topic: str, key: bytes | None, headers: Headers, value: bytes) -> None:
        self._connection.require()
        if self._writer is None:
            raise RuntimeError("PostgresBus.start() was not called")
        partitions = self._topic_partitions.get(topic) or await self._partitions_of(topic)
        partition = partition_for_key(key, partitions) if key is not None else next(self._round_robin) % partitions
        await self._writer.append(PendingRecord(topic, partition, key, value, headers))

    async def _partitions_of(self, topic: str) -> int:
        """Register `topic` on first use; an existing topic keeps the partition count it was created with."""
        cached = self._topic_partitions.get(topic)
        if cached is not None:
            return cached
        assert self._pool is not None
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(self._sql.register_topic(), topic, self._settings.partitions)
            partitions: int = await conn.fetchval(self._sql.topic_partitions(), topic)
            await conn.execute(self._sql.create_partitions(), topic, partitions)
        self._topic_partitions[topic] = partitions
        return partitions

    async def _create_schema(self, pool: asyncpg.Pool) -> None:
        async with pool.acquire() as conn, conn.transaction():
            # Two processes starting at once would race on CREATE ... IF NOT EXISTS; serialise them.
            await conn.execute("SELECT pg_advisory_xact_lock($1, 0)", self._sql.lock_namespace)
            for statement in self._sql.ddl():
                await conn.execute(statement)
