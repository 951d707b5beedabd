"""Publishes a service's outbox (see outbox.py) on the bus: at least once, in insertion order per key.

One relay per outbox publishes at a time. Every replica of a service runs a relay; they compete for a session
advisory lock and only its holder (the leader) reads and publishes rows, the others stand by and retry the lock
every poll, taking over within a poll interval when the leader's session ends (process killed, connection
lost: PostgreSQL releases the lock). Row locks with `FOR UPDATE SKIP LOCKED` would let two relays share the
work, but the second one would skip the row a first relay is publishing and take the *next* row of the same
key, publishing them out of order; per-key locking could fix that at the cost of complexity the outbox's
volume (control-plane changes) does not need. The leader still publishes different keys concurrently.

The leader deletes a row only after `publish_record` returned (the bus has it durably); a crash between the two
publishes the row again, which consumers tolerate (they are idempotent, as for any at-least-once delivery).
While the bus is down the leader backs off exponentially and keeps the rows; the API keeps accepting changes.
It wakes on the NOTIFY that `enqueue` sends (PostgreSQL delivers it at commit) and polls as a fallback.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Sequence
from types import TracebackType
from typing import Any

import asyncpg
from prometheus_client import Counter, Gauge

from warden_common.bus.port import Bus, BusRecord
from warden_common.db.outbox import Outbox
from warden_common.settings import RetryPolicy
from warden_common.tasks import cancel_and_wait, wait_event

logger = logging.getLogger(__name__)

DEFAULT_BACKOFF = RetryPolicy(initial_backoff_s=0.2, max_backoff_s=10.0, multiplier=2.0)


@functools.cache
def _metrics() -> tuple[Gauge, Counter, Counter]:
    # Created on first use, not at import, so importing the module registers nothing.
    return (
        Gauge("warden_outbox_pending", "Outbox rows not yet published.", ["outbox"]),
        Counter("warden_outbox_published", "Outbox rows published on the bus.", ["outbox"]),
        Counter("warden_outbox_publish_failures", "Failed attempts to publish an outbox row.", ["outbox"]),
    )


class PublishFailed(Exception):
    """Some rows could not be published (the bus is down or refused them); they stay for the next attempt."""


class OutboxRelay:
    """Background task publishing `outbox` on `bus`. `async with OutboxRelay(...)` starts and stops it."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        outbox: Outbox,
        bus: Bus,
        *,
        poll_interval_s: float = 1.0,
        batch_size: int = 200,
        publish_timeout_s: float = 30.0,
        backoff: RetryPolicy = DEFAULT_BACKOFF,
        stop_grace_s: float = 5.0,
    ) -> None:
        self._pool = pool
        self._outbox = outbox
        self._bus = bus
        self._poll_interval_s = poll_interval_s
        self._batch_size = batch_size
        self._publish_timeout_s = publish_timeout_s
        self._backoff = backoff
        self._stop_grace_s = stop_grace_s
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.is_leader = False
        pending, published, failures = _metrics()
        self._pending = pending.labels(outbox=outbox.table)
        self._published = published.labels(outbox=outbox.table)
        self._failures = failures.labels(outbox=outbox.table)

    async def __aenter__(self) -> OutboxRelay:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        """Check the outbox table exists (a missing migration fails here, not silently later); start relaying."""
        if await self._pool.fetchval("SELECT to_regclass($1) IS NULL", self._outbox.table):
            raise RuntimeError(
                f"{self._outbox.table} does not exist: add Outbox.migration() to the service's migrations"
            )
        self._task = asyncio.create_task(self._run(), name=f"outbox-relay:{self._outbox.table}")

    async def stop(self) -> None:
        """Let the batch in flight finish (bounded by `stop_grace_s`), then stop. Unpublished rows stay stored."""
        if self._task is None:
            return
        self._stopping.set()
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), self._stop_grace_s)
        except TimeoutError:
            await cancel_and_wait(self._task)
        self._task = None
        self.is_leader = False

    def wake(self) -> None:
        """Look at the outbox now (NOTIFY does this on commit; this is for in-process callers and tests)."""
        self._wake.set()

    async def _run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            try:
                async with self._pool.acquire() as conn:
                    # Held for as long as it works: it carries LISTEN and, once won, the leader lock. Releasing
                    # it to the pool resets the session (UNLISTEN *, pg_advisory_unlock_all).
                    await self._serve(conn)
                return
            except Exception as exc:  # the relay must outlive any failure, or events wait forever
                self.is_leader = False
                failures += 1
                delay = self._backoff.backoff(failures)
                logger.warning("outbox relay %s failed (%r); starting again in %.1fs",
                               self._outbox.table, exc, delay, exc_info=True)  # fmt: skip
                await self._pause(delay)

    async def _serve(self, conn: asyncpg.Connection) -> None:
        def notified(*_args: Any) -> None:
            self._wake.set()

        await conn.add_listener(self._outbox.channel, notified)
        self._wake.set()  # rows committed while nobody listened
        bus_failures = 0
        try:
            while not self._stopping.is_set():
                await self._wait_for_work()
                if self._stopping.is_set():
                    return
                self._wake.clear()  # a commit during the drain sets it again, so nothing is missed
                if not self.is_leader:
                    self.is_leader = bool(
                        await conn.fetchval("SELECT pg_try_advisory_lock($1)", self._outbox.leader_lock_key)
                    )
                    if self.is_leader:
                        logger.debug("outbox relay %s is the leader", self._outbox.table)
                try:
                    if self.is_leader:
                        await self._drain(conn)
                    bus_failures = 0
                except PublishFailed as exc:
                    bus_failures += 1
                    delay = self._backoff.backoff(bus_failures)
                    logger.warning("outbox %s: %s; retrying in %.1fs", self._outbox.table, exc, delay)
                    await self._pause(delay)
                    self._wake.set()
                finally:
                    self._pending.set(await conn.fetchval(f"SELECT count(*) FROM {self._outbox.table}"))
        finally:
            if not conn.is_closed():
                await conn.remove_listener(self._outbox.channel, notified)

    async def _wait_for_work(self) -> None:
        # The polling fallback: a lost notification costs one interval, not the event.
        await wait_event(self._wake, self._poll_interval_s)

    async def _pause(self, delay: float) -> None:
        await wait_event(self._stopping, delay)

    async def _drain(self, conn: asyncpg.Connection) -> None:
        """Publish everything pending, oldest first, one batch at a time."""
        while not self._stopping.is_set():
            rows = await conn.fetch(
                f"""SELECT id, topic, key, header_names, header_values, value
                    FROM {self._outbox.table} ORDER BY id LIMIT $1""",
                self._batch_size,
            )
            if not rows:
                return
            done, error = await self._publish(rows)
            if done:
                await conn.execute(f"DELETE FROM {self._outbox.table} WHERE id = ANY($1::bigint[])", done)
                self._published.inc(len(done))
            if error is not None:
                raise PublishFailed(f"{len(rows) - len(done)} of {len(rows)} rows not published: {error!r}") from error
            if len(rows) < self._batch_size:
                return

    async def _publish(self, rows: Sequence[asyncpg.Record]) -> tuple[list[int], BaseException | None]:
        """Publish `rows` (in id order): keys concurrently, each key's rows one after another, stopping at the
        first failure of that key so a later row never overtakes an earlier one. The ids published, any error."""
        by_key: dict[bytes | None, list[asyncpg.Record]] = {}
        for row in rows:
            by_key.setdefault(row["key"], []).append(row)
        results = await asyncio.gather(*(self._publish_in_order(key_rows) for key_rows in by_key.values()))
        done = [row_id for ids, _ in results for row_id in ids]
        errors = [error for _, error in results if error is not None]
        return done, errors[0] if errors else None

    async def _publish_in_order(self, rows: list[asyncpg.Record]) -> tuple[list[int], BaseException | None]:
        done: list[int] = []
        for row in rows:
            record = BusRecord(
                topic=row["topic"], partition=-1, offset=-1, key=row["key"], value=row["value"],
                headers=tuple(zip(row["header_names"], row["header_values"], strict=True)),
            )  # fmt: skip
            try:
                async with asyncio.timeout(self._publish_timeout_s):
                    await self._bus.publish_record(record)
            except Exception as exc:  # any bus failure means: keep the row, retry later
                self._failures.inc()
                return done, exc
            done.append(row["id"])
        return done, None
