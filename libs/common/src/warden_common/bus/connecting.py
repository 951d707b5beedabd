"""Starting a bus whose server is away: the service starts anyway and the bus connects when it can.

A service in distributed mode used to die at startup when Kafka (or the bus's PostgreSQL) was unreachable, so
it needed a supervisor to start it again. Now `start()` connects if it can and otherwise keeps trying in the
background with backoff; until then the bus is not ready (`/health/ready` answers 503), a publish raises
`ServiceUnavailable`, and subscriptions asked for meanwhile are started, in order, once it is connected.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from warden_common.bus.port import Subscription
from warden_common.errors import ServiceUnavailable
from warden_common.settings import RetryPolicy

logger = logging.getLogger(__name__)

RECONNECT_BACKOFF = RetryPolicy(max_attempts=1, initial_backoff_s=0.5, max_backoff_s=10.0, multiplier=2.0)
"""Pauses between connection attempts (`max_attempts` is not used: it tries until the bus is closed)."""


class DeferredSubscription:
    """A subscription asked for before the bus connected; `stop` works before and after it really starts."""

    def __init__(self, join: Callable[[], Awaitable[Subscription]]) -> None:
        self._join = join
        self._subscription: Subscription | None = None
        self.stopped = False

    @property
    def started(self) -> bool:
        return self._subscription is not None

    async def start(self) -> None:
        subscription = await self._join()
        self._subscription = subscription
        if self.stopped:  # stopped while joining
            await subscription.stop()

    async def stop(self) -> None:
        self.stopped = True
        if self._subscription is not None:
            await self._subscription.stop()


class BackgroundConnection:
    """Connects a bus now or, failing that, in the background; then starts the deferred subscriptions."""

    def __init__(
        self,
        *,
        what: str,
        connect: Callable[[], Awaitable[None]],
        transient: tuple[type[BaseException], ...],
        backoff: RetryPolicy = RECONNECT_BACKOFF,
    ) -> None:
        self._what = what
        self._connect = connect
        self._transient = transient
        self._backoff = backoff
        self._waiting: list[DeferredSubscription] = []
        self._task: asyncio.Task[None] | None = None
        self.connected = False

    @property
    def ready(self) -> bool:
        """Connected, and every subscription asked for is running."""
        return self.connected and not self._waiting

    async def start(self) -> None:
        """Connect now if the server answers; otherwise keep trying in the background (raises nothing transient)."""
        try:
            await self._connect()
        except self._transient as exc:
            logger.warning("%s not reachable at start (%r); starting anyway, connecting in the background",
                           self._what, exc)  # fmt: skip
            self._task = asyncio.create_task(self._keep_trying(), name=f"warden-connect {self._what}")
            return
        self.connected = True

    def require(self) -> None:
        """Raise `ServiceUnavailable` unless connected (publishing while disconnected)."""
        if not self.connected:
            raise ServiceUnavailable(f"{self._what} is not connected yet; try again later")

    def defer(self, join: Callable[[], Awaitable[Subscription]]) -> Subscription:
        """A subscription started by `join` once connected (call only while not connected)."""
        deferred = DeferredSubscription(join)
        self._waiting.append(deferred)
        return deferred

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        self._waiting.clear()

    async def _keep_trying(self) -> None:
        attempt = 0
        while not self.connected:
            attempt += 1
            await asyncio.sleep(self._backoff.backoff(attempt))
            try:
                await self._connect()
            except self._transient as exc:
                logger.info("%s still not reachable (attempt %d): %r", self._what, attempt, exc)
                continue
            self.connected = True
            logger.info("%s connected after %d attempt(s)", self._what, attempt + 1)
        attempt = 0
        while self._waiting:  # connected: nothing new is deferred any more, start what was
            deferred = self._waiting[0]
            if not deferred.stopped:
                try:
                    await deferred.start()
                except self._transient as exc:
                    attempt += 1
                    logger.warning("starting a subscription on %s failed (%r); retrying", self._what, exc)
                    await asyncio.sleep(self._backoff.backoff(attempt))
                    continue
            self._waiting.pop(0)
