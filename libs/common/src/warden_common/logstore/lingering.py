"""`LingeringWriter`: log-store writes gathered into one flush on size or after a short linger, whichever first.

Each caller of `write` waits for the flush that holds its items and gets back its own rejections (positions in
its own items) or the flush's exception. Callers that each bring a few items at a time (one per bus partition,
HTTP ingests) share one store write instead of a request each, and a lone write waits at most `linger_s`.
A caller's items are never split: one that brings `max_items` or more is flushed at once, alone or with what
was pending. Flushes run concurrently (the store's writes are idempotent upserts), so a slow one does not hold
back the next. `close` flushes whatever is pending and waits for every flush: nothing accepted is lost on stop.
"""

from __future__ import annotations

import asyncio
import bisect
import logging
import time
from collections.abc import Awaitable, Callable, Sequence

from warden_common.logstore.port import ItemRejected, LogWrite

logger = logging.getLogger(__name__)

StoreWrite = Callable[[Sequence[LogWrite]], Awaitable[list[ItemRejected]]]


class _Waiter:
    __slots__ = ("count", "future", "start")

    def __init__(self, start: int, count: int, future: asyncio.Future[list[ItemRejected]]) -> None:
        self.start, self.count, self.future = start, count, future


class LingeringWriter:
    def __init__(self, write: StoreWrite, *, max_items: int, linger_s: float) -> None:
        """`linger_s` 0: every write is flushed at once (no gathering)."""
        if max_items < 1:
            raise ValueError("max_items must be at least 1")
        if linger_s < 0:
            raise ValueError("linger_s must not be negative")
        self._write = write
        self._max_items = max_items
        self._linger_s = linger_s
        self._pending: list[LogWrite] = []
        self._waiters: list[_Waiter] = []
        self._first_at = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._flushes: set[asyncio.Task[None]] = set()
        self._closed = False

    @property
    def pending(self) -> int:
        """Items accepted and not yet handed to the store."""
        return len(self._pending)

    async def write(self, items: Sequence[LogWrite]) -> list[ItemRejected]:
        if not items:
            return []
        if self._closed:
            return await self._write(items)  # stopping: no more gathering, but never refuse a write
        future: asyncio.Future[list[ItemRejected]] = asyncio.get_running_loop().create_future()
        if not self._pending:
            self._first_at = time.monotonic()
        self._waiters.append(_Waiter(len(self._pending), len(items), future))
        self._pending.extend(items)
        if len(self._pending) >= self._max_items or self._linger_s == 0:
            self._flush_now()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._linger_s, self._flush_now)
        return await future

    async def close(self) -> None:
        """Flush what is pending and wait for every flush (a write after this goes straight to the store)."""
        self._closed = True
        self._flush_now()
        while self._flushes:
            await asyncio.gather(*self._flushes, return_exceptions=True)

    def _flush_now(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._pending:
            return
        items, waiters, lingered = self._pending, self._waiters, time.monotonic() - self._first_at
        self._pending, self._waiters = [], []
        task = asyncio.get_running_loop().create_task(self._flush(items, waiters, lingered))
        self._flushes.add(task)
        task.add_done_callback(self._flushes.discard)

    async def _flush(self, items: list[LogWrite], waiters: list[_Waiter], lingered: float) -> None:
        started = time.monotonic()
        try:
            rejected = await self._write(items)
        except asyncio.CancelledError:
            for waiter in waiters:
                waiter.future.cancel()
            raise
        except Exception as exc:
            for waiter in waiters:
                if not waiter.future.done():
                    waiter.future.set_exception(exc)
            return
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("flushed %d item(s) of %d caller(s): lingered %.3fs, store write %.3fs",
                         len(items), len(waiters), lingered, time.monotonic() - started)  # fmt: skip
        starts = [waiter.start for waiter in waiters]
        theirs: list[list[ItemRejected]] = [[] for _ in waiters]
        for item in rejected:
            owner = bisect.bisect_right(starts, item.position) - 1
            start = waiters[owner].start
            theirs[owner].append(ItemRejected(item.position - start, item.reason, item.status))
        for waiter, own in zip(waiters, theirs, strict=True):
            if not waiter.future.done():  # a caller cancelled meanwhile: its items are stored all the same
                waiter.future.set_result(own)
