"""The runtime's clocks: time windows closed on time (`LiveDetector.tick`), and configs re-read from the database
(changes made through another replica of the service)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from warden_detectors.configs.repository import DetectorConfigRepository
from warden_detectors.runtime.consumer import InferenceEventsConsumer
from warden_detectors.runtime.kinds import Outcome
from warden_detectors.runtime.registry import LiveEntry, LiveRegistry

logger = logging.getLogger(__name__)


async def tick_all(registry: LiveRegistry, consumer: InferenceEventsConsumer, now: datetime) -> None:
    """Ask every loaded detector for the replies due at `now` and publish them."""
    replies: list[tuple[LiveEntry, Outcome]] = []
    for entry in registry.entries():
        if entry.detector is None:
            continue
        async with entry.lock:
            try:
                outcomes = await entry.detector.tick(now)
            except Exception as exc:  # reported on the detector, the clock keeps running for the others
                entry.status.error(f"{type(exc).__name__}: {exc}")
                continue
        entry.status.handled(0, sum(o.rows for o in outcomes), None)
        replies += [(entry, outcome) for outcome in outcomes]
    await consumer.publish(replies)


async def refresh_configs(registry: LiveRegistry, repository: DetectorConfigRepository) -> None:
    version = registry.version
    registry.sync(await repository.all(), version)


@asynccontextmanager
async def running_every(interval_s: float, step: Callable[[], Awaitable[None]], what: str) -> AsyncIterator[None]:
    """Run `step` every `interval_s` in the background while the context is open (a failing step is logged and
    tried again at the next interval)."""

    async def loop() -> None:
        while True:
            await asyncio.sleep(interval_s)
            try:
                await step()
            except Exception:
                logger.warning("%s failed; trying again in %.1fs", what, interval_s, exc_info=True)

    task = asyncio.create_task(loop(), name=what)
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def utc_now() -> datetime:
    return datetime.now(UTC)
