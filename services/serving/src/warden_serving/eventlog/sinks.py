"""Where inference events go: straight to the bus (default, awaited before the reply) or through a buffer.

`BufferedSink` (opt-in `event_delivery=async`) never drops: a bounded in-memory queue, and once that is full
every later event is appended to a spill file on disk until the backlog is drained, so events keep their order.
A background task publishes (retrying while the bus is down); on close it flushes, and whatever the bus could
not take by then stays in the spill file, which the next start drains first.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
from collections import deque
from pathlib import Path
from typing import Protocol

from cloudevents.core.v1.event import CloudEvent

from warden_common.bus.port import Bus
from warden_common.codec import decode_http, encode_http_structured
from warden_common.topics import INFERENCE

logger = logging.getLogger(__name__)

Keyed = tuple[CloudEvent, str]


class EventSink(Protocol):
    async def emit(self, events: list[Keyed]) -> None: ...

    async def close(self) -> None: ...


class DirectSink:
    """Publish and wait: when `emit` returns the events are durable on the bus."""

    def __init__(self, bus: Bus, topic: str = INFERENCE) -> None:
        self._bus = bus
        self._topic = topic

    async def emit(self, events: list[Keyed]) -> None:
        await asyncio.gather(*(self._bus.publish(e, topic=self._topic, key=k) for e, k in events))

    async def close(self) -> None:
        return None


class BufferedSink:
    def __init__(self, bus: Bus, spill_dir: Path, capacity: int, topic: str = INFERENCE) -> None:
        self._bus = bus
        self._topic = topic
        self._capacity = capacity
        self._memory: deque[Keyed] = deque()
        self._spill_dir = spill_dir
        self._active = spill_dir / "spill.jsonl"
        self._draining = spill_dir / "draining.jsonl"
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.spilled_total = 0
        self._spill_mode = False

    async def start(self) -> None:
        self._spill_dir.mkdir(parents=True, exist_ok=True)
        self._spill_mode = self._active.exists() or self._draining.exists()
        self._task = asyncio.create_task(self._drain_forever(), name="inference-event-drainer")
        self._wake.set()  # a spill left by the previous run is drained first

    @property
    def _spilling(self) -> bool:
        # A flag, not a stat per event: set when a line is spilled, re-read from disk once the drainer is done.
        return self._spill_mode

    async def emit(self, events: list[Keyed]) -> None:
        for item in events:
            if self._spilling or len(self._memory) >= self._capacity:
                self._spill(item)
            else:
                self._memory.append(item)
        self._wake.set()

    def pending(self) -> int:
        return len(self._memory) + sum(_count_lines(p) for p in (self._active, self._draining))

    def _spill(self, item: Keyed) -> None:
        headers, body = encode_http_structured(item[0])
        line = {"key": item[1], "headers": headers, "body": base64.b64encode(body).decode()}
        with self._active.open("a") as fh:
            fh.write(json.dumps(line) + "\n")
        self.spilled_total += 1
        self._spill_mode = True

    async def _drain_forever(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            await self._drain_once()
            if self._closing and not self._memory and not self._spilling:
                return

    async def _drain_once(self) -> None:
        while self._memory:  # always older than anything spilled
            await self._publish(self._memory[0])
            self._memory.popleft()
        while self._spill_mode:
            if not self._draining.exists():
                self._active.rename(self._draining)
            for line in self._draining.read_text().splitlines():
                entry = json.loads(line)
                event = decode_http(entry["headers"], base64.b64decode(entry["body"]))
                await self._publish((event, entry["key"]))
            # A crash mid-file re-publishes its head on restart: at-least-once, like the bus itself.
            self._draining.unlink()
            self._spill_mode = self._active.exists()

    async def _publish(self, item: Keyed) -> None:
        delay = 0.1
        while True:
            try:
                await self._bus.publish(item[0], topic=self._topic, key=item[1])
                return
            except Exception:
                if self._closing and delay > 5:
                    raise
                logger.warning("bus publish failed; retrying in %.1fs", delay, exc_info=True)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    async def close(self, timeout_s: float = 30.0) -> None:
        """Flush; whatever cannot be published in `timeout_s` is written to the spill file for the next start."""
        self._closing = True
        self._wake.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), timeout_s)
            except Exception:
                logger.warning("inference events not flushed within %.0fs; keeping them on disk", timeout_s)
                self._task.cancel()
                with contextlib.suppress(BaseException):
                    await self._task
        memory, self._memory = list(self._memory), deque()
        for item in memory:
            self._spill(item)


def _count_lines(path: Path) -> int:
    try:
        with path.open() as fh:
            return sum(1 for _ in fh)
    except FileNotFoundError:
        return 0
