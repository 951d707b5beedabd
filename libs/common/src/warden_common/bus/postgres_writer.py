"""Group commit for the standalone bus: concurrent publishes share one transaction.

`append` queues the record and waits; a single writer task takes everything queued (up to `max_batch`), appends
it in one transaction and resolves every waiter only after COMMIT returned. The commit is synchronous
(`synchronous_commit=on` is forced on the pool), so a resolved publish is on disk and survives `kill -9` of the
publisher or of PostgreSQL. While one transaction is committing the next batch fills up, which is where the
throughput comes from: one WAL flush per batch instead of one per event.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass, field

import asyncpg

from warden_common.bus.postgres_sql import BusSql, pack_headers

logger = logging.getLogger(__name__)

_RETRYABLE = (asyncpg.DeadlockDetectedError, asyncpg.SerializationError)


@dataclass
class PendingRecord:
    topic: str
    partition: int
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...]
    done: asyncio.Future[None] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class GroupCommitWriter:
    """Appends queued records in batches; one instance per bus, one writer task."""

    def __init__(self, pool: asyncpg.Pool, sql: BusSql, *, max_batch: int = 2000) -> None:
        self._pool = pool
        self._sql = sql
        self._max_batch = max_batch
        self._queue: list[PendingRecord] = []
        self._wake = asyncio.Event()
        self._closing = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="warden-bus-writer")

    async def close(self) -> None:
        """Write what is queued, then stop."""
        self._closing = True
        self._wake.set()
        if self._task is not None:
            await self._task

    async def append(self, record: PendingRecord) -> None:
        if self._closing:
            raise RuntimeError("the bus is closed")
        self._queue.append(record)
        self._wake.set()
        await record.done

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._queue:
                batch, self._queue = self._queue[: self._max_batch], self._queue[self._max_batch :]
                await self._write_batch(batch)
            if self._closing:
                return

    async def _write_batch(self, batch: list[PendingRecord]) -> None:
        for attempt in range(1, 4):
            try:
                await self._append_in_transaction(batch)
            except _RETRYABLE as exc:
                if attempt == 3:
                    self._fail(batch, exc)
                    return
                logger.warning("append transaction retried after %r", exc)
            except Exception as exc:
                # Nothing was committed: every waiter learns it failed (publish raises, caller may retry).
                logger.exception("appending %d record(s) failed", len(batch))
                self._fail(batch, exc)
                return
            else:
                for record in batch:
                    if not record.done.done():
                        record.done.set_result(None)
                return

    @staticmethod
    def _fail(batch: list[PendingRecord], exc: BaseException) -> None:
        for record in batch:
            if not record.done.done():
                record.done.set_exception(exc)

    async def _append_in_transaction(self, batch: list[PendingRecord]) -> None:
        by_partition: dict[tuple[str, int], list[PendingRecord]] = defaultdict(list)
        for record in batch:
            by_partition[(record.topic, record.partition)].append(record)
        heads = sorted(by_partition)
        topics = [topic for topic, _ in heads]
        partitions = [partition for _, partition in heads]
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(self._sql.lock_heads(), topics, partitions)
            rows = await conn.fetch(
                self._sql.advance_heads(), topics, partitions, [len(by_partition[head]) for head in heads]
            )
            columns: tuple[list[object], ...] = ([], [], [], [], [], [])
            for row in rows:
                head = (row["topic"], row["partition"])
                for index, record in enumerate(by_partition[head]):
                    for column, value in zip(
                        columns,
                        (
                            record.topic,
                            record.partition,
                            row["first_offset"] + index,
                            record.key,
                            record.value,
                            pack_headers(record.headers),
                        ),
                        strict=True,
                    ):
                        column.append(value)
            await conn.execute(self._sql.insert_records(), *columns)
            # Delivered by PostgreSQL only at COMMIT, so a woken consumer always finds the rows.
            payloads = [f"{partition}:{topic}" for topic, partition in heads]
            await conn.execute(self._sql.notify(), self._sql.notify_channel, payloads)
