"""Retention of the standalone bus: old records are deleted, as Kafka's time/size retention does.

`RetentionTask` belongs to a `PostgresBus` (started with it, stopped by `close`). Every `interval_s` it deletes
records older than `BusSettings.retention_hours` and, if `retention_max_records` is set, the records of a
partition beyond its newest `retention_max_records`. Dead-letter topics are ordinary topics and go by the same rule.

- Bounded: each chunk (`chunk` records, oldest first) is its own short transaction. Deleting takes no lock that
  publishing or consuming needs (appends lock the partition heads, never existing records; readers see a
  snapshot), so neither waits for retention.
- Several processes on one bus: each chunk runs under a transaction-level advisory lock taken with `try`; a
  process that finds it taken leaves the pass to the holder. Deleting is idempotent anyway: a row is counted by
  whoever deleted it.
- Consumers: a group whose committed offset points at deleted records simply reads from the earliest record left
  (the fetch asks for offsets >= its position), like Kafka's `auto.offset.reset=earliest`; the records it had not
  read are lost to it, which is what retention means.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass

import asyncpg
from prometheus_client import Counter

from warden_common.bus.postgres_sql import RETENTION_LOCK_ID, BusSql
from warden_common.settings import BusSettings
from warden_common.tasks import cancel_and_wait

logger = logging.getLogger(__name__)

_CONNECTION_ERRORS = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError)


@functools.cache
def _deleted_counter() -> Counter:
    # Created on first use, not at import, so importing the bus registers nothing.
    return Counter("warden_bus_retention_deleted", "Records the standalone bus deleted by retention.", ("topic",))


@dataclass(frozen=True)
class RetentionPolicy:
    """What to delete; `None` means no limit of that kind."""

    max_age_s: float | None
    max_records: int | None

    @classmethod
    def from_settings(cls, settings: BusSettings) -> RetentionPolicy:
        return cls(
            max_age_s=settings.retention_hours * 3600 if settings.retention_hours > 0 else None,
            max_records=settings.retention_max_records if settings.retention_max_records > 0 else None,
        )

    @property
    def enabled(self) -> bool:
        return self.max_age_s is not None or self.max_records is not None


class RetentionTask:
    """Runs retention passes in the background on the bus's pool."""

    def __init__(
        self, pool: asyncpg.Pool, sql: BusSql, policy: RetentionPolicy, *, interval_s: float = 300.0, chunk: int = 5000
    ) -> None:
        self._pool = pool
        self._sql = sql
        self._policy = policy
        self._interval_s = interval_s
        self._chunk = chunk
        self._task: asyncio.Task[None] | None = None
        self.passes = 0
        """Passes finished so far (a disabled policy makes empty passes): lets tests wait for one to happen."""

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="warden-bus-retention")

    async def close(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None

    async def run_once(self) -> int:
        """One pass: delete what the policy says, chunk by chunk; returns how many records this process deleted."""
        deleted = 0
        if self._policy.max_age_s is not None:
            deleted += await self._delete_all(self._sql.delete_expired(), self._policy.max_age_s)
        if self._policy.max_records is not None:
            deleted += await self._delete_all(self._sql.delete_excess(), self._policy.max_records)
        self.passes += 1
        return deleted

    async def _run(self) -> None:
        while True:
            try:
                deleted = await self.run_once()
            except _CONNECTION_ERRORS:
                logger.warning("bus retention pass failed; retrying in %.0f s", self._interval_s, exc_info=True)
            except Exception:
                # Not worth stopping the bus for: records only stay longer. Logged loudly, tried again next time.
                logger.exception("bus retention pass failed unexpectedly")
            else:
                if deleted:
                    logger.info("bus retention deleted %d record(s)", deleted)
            await asyncio.sleep(self._interval_s)

    async def _delete_all(self, statement: str, bound: float) -> int:
        deleted = 0
        while True:
            chunk = await self._delete_chunk(statement, bound)
            if chunk is None:  # another process is deleting; this pass leaves it to that one
                return deleted
            deleted += chunk
            if chunk < self._chunk:
                return deleted

    async def _delete_chunk(self, statement: str, bound: float) -> int | None:
        async with self._pool.acquire() as conn, conn.transaction():
            locked = await conn.fetchval(self._sql.try_retention_lock(), self._sql.lock_namespace, RETENTION_LOCK_ID)
            if not locked:
                return None
            rows = await conn.fetch(statement, bound, self._chunk, timeout=60)
        for row in rows:
            _deleted_counter().labels(topic=row["topic"]).inc(row["n"])
        return sum(int(row["n"]) for row in rows)
