"""Consumer groups of the standalone bus: who owns which partition, and how a dead member's partitions move.

Every member (one subscription) keeps a dedicated *session connection* to PostgreSQL and holds on it:
- its membership lock: a session-level advisory lock on its own `members.lock_id`;
- one session-level advisory lock per partition it owns (`group_partitions.lock_id`).
PostgreSQL releases session locks when the session ends — the process was killed, crashed, or its connection
broke — so a dead member's partitions become free at once, without waiting for any timeout. Liveness of the
others is read from `pg_locks` (a member is alive iff its membership lock is held), which is equally prompt.
A silently vanished client (network cut) is ended by the server's `idle_session_timeout`, set on the session
connection well above the heartbeat interval (the member runs a statement on it every tick).

Every `tick_s` a member: lists the live members (sorted by id), computes its fair share (partition p belongs to
the member at index p mod n), releases owned partitions outside its share (after the record in flight finished
and was committed), and tries to lock the partitions of its share it does not own yet. `pg_try_advisory_lock`
never blocks: a partition still held by its previous owner is simply retried next tick, after that owner saw
the new membership and let go. The lock guarantees one owner per partition at any time, whatever the members'
views of the membership; the fair split converges within a tick or two of any change.

Offsets are committed on the same session connection that holds the partition lock: if that session is gone,
the commit fails instead of overwriting the new owner's progress. When the session connection fails, the member
cancels its workers (in-flight records stay uncommitted), reconnects and joins again as a new member.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable

import asyncpg

from warden_common.bus.postgres_consumer import PartitionWorker
from warden_common.bus.postgres_sql import BusSql
from warden_common.tasks import cancel_and_wait

logger = logging.getLogger(__name__)

WorkerFactory = Callable[[int], PartitionWorker]
_CONNECTION_ERRORS = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError)


class PostgresSubscription:
    """One consumer-group member on one topic of the standalone bus."""

    def __init__(
        self,
        *,
        dsn: str,
        sql: BusSql,
        topic: str,
        group: str,
        partitions: int,
        make_worker: WorkerFactory,
        tick_s: float = 1.0,
        idle_session_timeout_s: float = 30.0,
        stop_grace_s: float = 30.0,
    ) -> None:
        self._dsn = dsn
        self._sql = sql
        self._topic = topic
        self._group = group
        self._partitions = partitions
        self._make_worker = make_worker
        self._tick_s = tick_s
        self._idle_session_timeout_s = idle_session_timeout_s
        self._stop_grace_s = stop_grace_s
        self._conn: asyncpg.Connection | None = None
        self._conn_lock = asyncio.Lock()  # one statement at a time on the session connection
        self._member_id = ""
        self._partition_locks: dict[int, int] = {}
        self._workers: dict[int, PartitionWorker] = {}
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    async def start(self) -> None:
        await self._join()
        await self._rebalance()
        self._task = asyncio.create_task(self._maintain(), name=f"warden-bus-member-{self._topic}")

    async def stop(self) -> None:
        """Finish in-flight records, commit them, release the partitions and leave the group."""
        self._stopping = True
        await cancel_and_wait(self._task)
        for partition in list(self._workers):
            with contextlib.suppress(*_CONNECTION_ERRORS):
                await self._release(partition)
        await self._leave()

    async def commit(self, partition: int, next_offset: int) -> None:
        """Store the group's offset; fails when the session that holds the partition lock is gone."""
        await self._session_execute(self._sql.commit_offset(), self._group, self._topic, partition, next_offset)

    # -- membership --

    async def _join(self) -> None:
        settings = {"idle_session_timeout": str(int(self._idle_session_timeout_s * 1000))}
        self._conn = await asyncpg.connect(self._dsn, server_settings=settings)
        self._member_id = f"{uuid.uuid4().hex}"
        await self._conn.execute(self._sql.ensure_group_partitions(), self._group, self._topic, self._partitions)
        rows = await self._conn.fetch(self._sql.group_partition_locks(), self._group, self._topic)
        self._partition_locks = {row["partition"]: row["lock_id"] for row in rows}
        # Lock before inserting the row: a row whose lock is not held reads as a dead member and is removed.
        lock_id = await self._conn.fetchval(self._sql.next_lock_id())
        await self._conn.execute("SELECT pg_advisory_lock($1, $2)", self._sql.lock_namespace, lock_id)
        await self._conn.execute(self._sql.insert_member(), self._member_id, self._group, self._topic, lock_id)
        logger.debug("joined group %s on %s as %s", self._group, self._topic, self._member_id)

    async def _leave(self) -> None:
        if self._conn is None:
            return
        with contextlib.suppress(*_CONNECTION_ERRORS):
            await self._conn.execute(self._sql.delete_members(), [self._member_id])
        # Closing the session releases every advisory lock it still holds.
        with contextlib.suppress(*_CONNECTION_ERRORS):
            await self._conn.close(timeout=5)
        if not self._conn.is_closed():
            self._conn.terminate()
        self._conn = None

    async def _maintain(self) -> None:
        while True:
            await asyncio.sleep(self._tick_s)
            try:
                await self._rebalance()
            except _CONNECTION_ERRORS:
                logger.warning("group session of %s lost; rejoining", self._member_id, exc_info=True)
                await self._rejoin()

    async def _rejoin(self) -> None:
        for worker in self._workers.values():
            worker.cancel()
        self._workers.clear()
        if self._conn is not None:
            self._conn.terminate()
            self._conn = None
        while not self._stopping:
            try:
                await self._join()
                return
            except _CONNECTION_ERRORS:
                logger.warning("rejoining group %s failed; retrying", self._group, exc_info=True)
                if self._conn is not None:
                    self._conn.terminate()
                    self._conn = None
                await asyncio.sleep(self._tick_s)

    # -- partition ownership --

    async def _rebalance(self) -> None:
        await self._session_execute(self._sql.heartbeat(), self._member_id)
        rows = await self._session_fetch(self._sql.live_members(), self._group, self._topic, self._sql.lock_namespace)
        dead = [row["member_id"] for row in rows if not row["alive"]]
        if dead:
            await self._session_execute(self._sql.delete_members(), dead)
        alive = [row["member_id"] for row in rows if row["alive"]]
        my_share = set(_fair_share(alive, self._member_id, self._partitions))

        for partition, worker in list(self._workers.items()):
            if worker.task is not None and worker.task.done() and not worker.task.cancelled():
                logger.error("worker of partition %d failed; releasing it", partition, exc_info=worker.task.exception())
                await self._release(partition)
        for partition in sorted(set(self._workers) - my_share):
            await self._release(partition)
        for partition in sorted(my_share - set(self._workers)):
            if await self._try_lock(partition):
                worker = self._make_worker(partition)
                self._workers[partition] = worker
                worker.start()
                logger.debug("%s took partition %d of %s", self._member_id, partition, self._topic)

    async def _try_lock(self, partition: int) -> bool:
        async with self._conn_lock:
            assert self._conn is not None
            got: bool = await self._conn.fetchval(
                "SELECT pg_try_advisory_lock($1, $2)", self._sql.lock_namespace, self._partition_locks[partition]
            )
        return got

    async def _release(self, partition: int) -> None:
        # Forget the worker only once it stopped: if this is cancelled midway, `stop()` finds and stops it again.
        await self._workers[partition].stop(self._stop_grace_s)
        del self._workers[partition]
        await self._session_execute(
            "SELECT pg_advisory_unlock($1, $2)", self._sql.lock_namespace, self._partition_locks[partition]
        )
        logger.debug("%s released partition %d of %s", self._member_id, partition, self._topic)

    async def _session_execute(self, query: str, *args: object) -> None:
        async with self._conn_lock:
            if self._conn is None:
                raise asyncpg.InterfaceError("group session is not connected")
            await self._conn.execute(query, *args, timeout=10)

    async def _session_fetch(self, query: str, *args: object) -> list[asyncpg.Record]:
        async with self._conn_lock:
            if self._conn is None:
                raise asyncpg.InterfaceError("group session is not connected")
            rows: list[asyncpg.Record] = await self._conn.fetch(query, *args, timeout=10)
            return rows


def _fair_share(alive: list[str], member_id: str, partitions: int) -> list[int]:
    """Partitions this member should own: p where p mod n is its index among the live members (sorted)."""
    if member_id not in alive:  # our own lock must be held; if the view is stale, claim nothing this tick
        return []
    index, count = alive.index(member_id), len(alive)
    return [p for p in range(partitions) if p % count == index]
