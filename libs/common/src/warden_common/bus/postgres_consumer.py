"""Reading side of the standalone bus: the LISTEN wake-ups and the loop that consumes one owned partition."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable

import asyncpg

from warden_common.bus.delivery import RunDelivery
from warden_common.bus.port import BusRecord
from warden_common.bus.postgres_sql import BusSql, unpack_headers
from warden_common.tasks import cancel_and_wait, wait_event

logger = logging.getLogger(__name__)

CommitOffset = Callable[[int, int], Awaitable[None]]
"""(partition, next_offset) -> None; raises if the commit could not be made."""


class AppendListener:
    """One LISTEN connection per bus that wakes the workers of the partition an append touched.

    Notifications are only a latency optimisation: workers also poll, so a lost connection (re-established in
    the background) or a dropped notification delays delivery by at most the poll interval.
    """

    def __init__(self, dsn: str, sql: BusSql) -> None:
        self._dsn = dsn
        self._sql = sql
        self._events: dict[tuple[str, int], set[asyncio.Event]] = defaultdict(set)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._keep_listening(), name="warden-bus-listener")

    async def close(self) -> None:
        await cancel_and_wait(self._task)

    def register(self, topic: str, partition: int, event: asyncio.Event) -> None:
        self._events[(topic, partition)].add(event)

    def unregister(self, topic: str, partition: int, event: asyncio.Event) -> None:
        self._events[(topic, partition)].discard(event)

    def _on_notification(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        partition, _, topic = payload.partition(":")
        for event in self._events.get((topic, int(partition)), ()):
            event.set()

    async def _keep_listening(self) -> None:
        while True:
            conn: asyncpg.Connection | None = None
            try:
                conn = await asyncpg.connect(self._dsn)
                lost = asyncio.Event()
                conn.add_termination_listener(lambda _c, lost=lost: lost.set())
                await conn.add_listener(self._sql.notify_channel, self._on_notification)
                self._wake_all()  # appends made while we were not listening
                await lost.wait()
                logger.warning("bus LISTEN connection lost; reconnecting")
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                logger.warning("bus LISTEN connection failed; retrying", exc_info=True)
            finally:
                if conn is not None and not conn.is_closed():
                    conn.terminate()
            await asyncio.sleep(1.0)

    def _wake_all(self) -> None:
        for events in self._events.values():
            for event in events:
                event.set()


class PartitionWorker:
    """Consumes one partition the member owns: fetch a batch, deliver in order, commit, repeat."""

    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        sql: BusSql,
        listener: AppendListener,
        topic: str,
        group: str,
        partition: int,
        delivery: RunDelivery,
        commit: CommitOffset,
        poll_interval_s: float = 1.0,
        batch_size: int = 500,
    ) -> None:
        self.partition = partition
        self._pool = pool
        self._sql = sql
        self._listener = listener
        self._topic = topic
        self._group = group
        self._delivery = delivery
        self._commit = commit
        self._poll_interval_s = poll_interval_s
        self._batch_size = batch_size
        self._wake = asyncio.Event()
        self._stopping = False
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self._run(), name=f"warden-bus-{self._topic}-{self.partition}")

    async def stop(self, grace_s: float) -> None:
        """Let the record in flight finish and its offset be committed; cancel it after `grace_s`."""
        self._stopping = True
        self._wake.set()
        if self.task is None:
            return
        _, late = await asyncio.wait([self.task], timeout=grace_s)
        if late:
            logger.warning(
                "partition %s/%d did not stop in time; in-flight record stays uncommitted", self._topic, self.partition
            )
            self.task.cancel()
            await asyncio.wait([self.task])

    def cancel(self) -> None:
        """Stop at once without committing (the lock connection is gone; another member may own us now)."""
        self._stopping = True
        if self.task is not None:
            self.task.cancel()

    async def _run(self) -> None:
        self._listener.register(self._topic, self.partition, self._wake)
        try:
            offset: int = await self._pool.fetchval(
                self._sql.committed_offset(), self._group, self._topic, self.partition
            )
            while not self._stopping:
                self._wake.clear()  # before the fetch, so an append committed meanwhile is not missed
                rows = await self._pool.fetch(
                    self._sql.fetch_records(), self._topic, self.partition, offset, self._batch_size
                )
                if not rows:
                    await wait_event(self._wake, self._poll_interval_s)
                    continue
                if rows[0]["offset"] > offset:
                    self._log_skipped(offset, rows[0]["offset"])
                offset = await self._deliver_run(rows, offset)
        finally:
            self._listener.unregister(self._topic, self.partition, self._wake)

    def _log_skipped(self, position: int, first: int) -> None:
        # Offsets are dense (a rolled-back append rolls back its offsets too), so a gap means retention deleted
        # records this group had not read: it continues at the earliest one left, as a Kafka consumer would.
        logger.info(
            "group %s on %s/%d continues at offset %d: records %d..%d were deleted by retention before it read them",
            self._group, self._topic, self.partition, first, position, first - 1,
        )  # fmt: skip

    async def _deliver_run(self, rows: list[asyncpg.Record], offset: int) -> int:
        records = [
            BusRecord(
                topic=self._topic,
                partition=self.partition,
                offset=row["offset"],
                key=row["key"],
                value=row["value"],
                headers=unpack_headers(row["headers"]),
            )
            for row in rows
        ]
        finished = await self._delivery.deliver_run(records, lambda: not self._stopping)
        if not finished:
            return offset
        next_offset = records[finished - 1].offset + 1
        await self._commit(self.partition, next_offset)
        return next_offset
