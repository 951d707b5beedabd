"""A bus whose server is away at start: it starts anyway, is not ready, refuses publishes, and connects later.

Each test runs its own server (Kafka broker or PostgreSQL) on private ports and state dir, through the project's
infra server classes, so stopping and starting it disturbs nothing else: the bus is started while the server
is down, then the server is started and the bus must become ready and deliver to the subscription it was
given while disconnected.
"""

from __future__ import annotations

import asyncio
import functools
import shutil
import socket
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cloudevents.core.v1.event import CloudEvent

from warden_common.bus.factory import create_bus
from warden_common.codec import Event
from warden_common.errors import ServiceUnavailable
from warden_common.settings import BusSettings
from warden_common.testing.servers.base import ManagedServer
from warden_common.testing.waiting import eventually as poll_until

pytestmark = pytest.mark.integration

WAIT_S = 120.0
eventually = functools.partial(poll_until, within_s=WAIT_S, interval_s=0.2)


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [int(sock.getsockname()[1]) for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


@pytest.fixture
def private_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], ManagedServer]]:
    """`private_server("kafka" | "postgres")`: a not-yet-started server of this test alone (stopped after)."""
    from warden_common.testing.servers.kafka import KafkaServer
    from warden_common.testing.servers.postgres import DebianPostgresServer

    home = Path(tempfile.mkdtemp(prefix="warden-late-bus-"))
    home.chmod(0o755)  # PostgreSQL runs as its own OS user, which must reach its data dir inside
    monkeypatch.setenv("WARDEN_INFRA_HOME", str(home))
    made: list[ManagedServer] = []

    def make(kind: str) -> ManagedServer:
        first, second = free_ports(2)
        if kind == "kafka":
            monkeypatch.setenv("WARDEN_INFRA_KAFKA_PORT", str(first))
            monkeypatch.setenv("WARDEN_INFRA_KAFKA_CONTROLLER_PORT", str(second))
            server: ManagedServer = KafkaServer()
        else:
            monkeypatch.setenv("WARDEN_INFRA_POSTGRES_PORT", str(first))
            server = DebianPostgresServer()
        made.append(server)
        return server

    yield make
    for server in made:
        server.stop()
    shutil.rmtree(home, ignore_errors=True)


def settings_for(kind: str, server: ManagedServer) -> BusSettings:
    if kind == "kafka":
        return BusSettings(kind="kafka", kafka_bootstrap=server.endpoint, partitions=2)
    return BusSettings(kind="postgres", postgres_dsn=server.endpoint, partitions=2)


@pytest.mark.timeout(400)
@pytest.mark.parametrize("kind", ["kafka", "postgres"])
async def test_bus_started_while_its_server_is_down_connects_later_and_delivers(
    kind: str, private_server: Callable[[str], ManagedServer]
) -> None:
    server = private_server(kind)
    bus = create_bus(settings_for(kind, server))
    topic = f"late-{uuid.uuid4().hex[:8]}"
    received: list[str] = []

    async def handler(event: Event) -> None:
        received.append(event.get_id())

    await asyncio.wait_for(bus.start(), 30)  # returns although nothing listens on the port
    try:
        assert await bus.ready() is False
        event = CloudEvent({"type": "io.warden.test", "source": "test", "id": str(uuid.uuid4())}, data={"n": 1})
        with pytest.raises(ServiceUnavailable):
            await bus.publish(event, topic=topic, key="k")
        subscription = await asyncio.wait_for(bus.subscribe(topic, group=f"g-{topic}", handler=handler), 30)
        assert await bus.ready() is False  # still: the server has not come up

        await asyncio.to_thread(server.start)
        await eventually(bus.ready, f"the {kind} bus to become ready after its server started")
        await bus.publish(event, topic=topic, key="k")
        await eventually(lambda: event.get_id() in received, "the event to reach the subscription made earlier")
        await subscription.stop()
    finally:
        await bus.close()
