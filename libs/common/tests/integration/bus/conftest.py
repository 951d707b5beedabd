"""Fixtures of the bus behavioural suite: one started bus of each kind, and real subprocess peers.

Servers come from the `warden_common.testing.plugin` fixtures (`kafka_bootstrap`, `fresh_database`,
`unique_name`); a test that asks for `bus` runs once per adapter and starts only the server it needs.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from warden_common.bus.factory import create_bus
from warden_common.bus.port import Bus
from warden_common.settings import BusSettings, RetryPolicy

BUS_PROCESS = Path(__file__).with_name("bus_process.py")

# Fast retries keep the poison-message tests short; 3 attempts still shows retrying happens.
FAST_RETRY = RetryPolicy(max_attempts=3, initial_backoff_s=0.05, max_backoff_s=0.2, multiplier=2.0)

WAIT_S = 90.0  # Kafka needs a session timeout (10 s) plus a rebalance to notice a killed member

BusFactory = Callable[..., Awaitable[Bus]]


def settings_json(settings: BusSettings) -> str:
    """The settings for a subprocess, with the DSN revealed (pydantic would mask it)."""
    data = settings.model_dump(mode="json")
    if settings.postgres_dsn is not None:
        data["postgres_dsn"] = settings.postgres_dsn.get_secret_value()
    return json.dumps(data)


class BusProcess:
    """A `bus_process.py` subprocess; each stdout line is one JSON object it reports."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[dict[str, object]] = []
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process.stdout is not None
        async for line in self.process.stdout:
            self.lines.append(json.loads(line))

    async def wait_for_line(self, predicate: Callable[[dict[str, object]], bool], within_s: float = WAIT_S) -> None:
        async with asyncio.timeout(within_s):
            while True:
                if any(predicate(line) for line in self.lines):
                    return
                if self._reader.done():
                    raise AssertionError(f"bus process ended (rc={self.process.returncode}) lines={self.lines}")
                await asyncio.sleep(0.05)

    async def wait_exit(self, within_s: float = 60.0) -> int:
        async with asyncio.timeout(within_s):
            rc = await self.process.wait()
            await self._reader
        return rc

    def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()


BusProcessFactory = Callable[..., Awaitable[BusProcess]]


@pytest.fixture(params=["kafka", "postgres"])
def bus_settings(request: pytest.FixtureRequest, unique_name: str) -> BusSettings:
    """Settings of a bus of one kind; a test using it runs once per adapter."""
    if request.param == "kafka":
        return BusSettings(
            kind="kafka", kafka_bootstrap=request.getfixturevalue("kafka_bootstrap"), partitions=4, retry=FAST_RETRY
        )
    return BusSettings(
        kind="postgres",
        postgres_dsn=request.getfixturevalue("fresh_database"),
        postgres_schema=f"bus_{unique_name}",
        partitions=4,
        retry=FAST_RETRY,
    )


@pytest.fixture
async def make_bus(bus_settings: BusSettings) -> AsyncIterator[BusFactory]:
    """Start extra buses on the same servers (e.g. a 'fresh process' reading what another one wrote); keyword
    arguments override settings fields."""
    started: list[Bus] = []

    async def make(**overrides: Any) -> Bus:
        bus = create_bus(bus_settings.model_copy(update=overrides))
        await bus.start()
        started.append(bus)
        return bus

    yield make
    for bus in reversed(started):
        await bus.close()


@pytest.fixture
async def bus(make_bus: BusFactory) -> Bus:
    return await make_bus()


@pytest.fixture
async def spawn_bus_process(bus_settings: BusSettings) -> AsyncIterator[BusProcessFactory]:
    """Run `bus_process.py <mode> ...` with the test's bus settings."""
    processes: list[BusProcess] = []

    async def spawn(mode: str, *args: str) -> BusProcess:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(BUS_PROCESS),
            mode,
            settings_json(bus_settings),
            *args,
            stdout=asyncio.subprocess.PIPE,
        )
        peer = BusProcess(process)
        processes.append(peer)
        return peer

    yield spawn
    for peer in processes:
        peer.kill()
        await peer.wait_exit()
