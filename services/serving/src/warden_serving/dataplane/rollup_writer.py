"""Writes the data plane's request rollups to Warden's own store (standalone: no Prometheus scrapes it there).

Every window (10 s) the windows that have ended go to PostgreSQL; a failed write keeps them for the next try;
stopping writes everything, the open window included. Once an hour windows past the retention are deleted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime, timedelta

import asyncpg

from warden_common.requestmetrics import Rollups
from warden_common.requestmetrics.postgres import delete_older_than, write

logger = logging.getLogger(__name__)

_RETENTION_EVERY_S = 3600.0


class RollupWriter:
    def __init__(self, rollups: Rollups, pool: asyncpg.Pool, retention: timedelta, interval_s: float = 10.0) -> None:
        self._rollups = rollups
        self._pool = pool
        self._retention = retention
        self._interval = interval_s
        self._task: asyncio.Task[None] | None = None
        self._pruned_at = 0.0

    async def start(self) -> None:
        await self._prune()
        self._task = asyncio.create_task(self._run(), name="request-metrics-writer")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.flush(everything=True)

    async def flush(self, *, everything: bool = False) -> None:
        rows = self._rollups.take(None if everything else time.time())
        try:
            await write(self._pool, rows)
        except (OSError, asyncpg.PostgresError):
            logger.warning("could not store %d request metric rows; retrying later", len(rows), exc_info=True)
            self._rollups.put_back(rows)

    async def _prune(self) -> None:
        self._pruned_at = time.monotonic()
        if self._retention.total_seconds() <= 0:
            return
        try:
            deleted = await delete_older_than(self._pool, datetime.now(UTC) - self._retention)
        except (OSError, asyncpg.PostgresError):
            logger.warning("could not delete old request metrics", exc_info=True)
            return
        if deleted:
            logger.info("deleted %d request metric rows past retention", deleted)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            await self.flush()
            if time.monotonic() - self._pruned_at >= _RETENTION_EVERY_S:
                await self._prune()
