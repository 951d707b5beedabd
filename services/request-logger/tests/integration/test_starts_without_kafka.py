"""A logger started while Kafka is down: it starts, answers 503 on /health/ready, and consumes once Kafka is up.

The broker is this test's own (private ports and state dir, the project's infra server class), started only
after the logger is running; the log store is the shared OpenSearch.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from cloudevents.core.v1.event import CloudEvent

from warden_common.bus.kafka import KafkaBus
from warden_common.logstore.factory import OpenSearchSettings
from warden_common.settings import BusSettings
from warden_common.testing.servers.base import ManagedServer
from warden_common.testing.waiting import eventually
from warden_request_logger.main import create_app
from warden_request_logger.settings import RequestLoggerSettings

pytestmark = pytest.mark.integration


@pytest.fixture
def stopped_kafka(monkeypatch: pytest.MonkeyPatch) -> Iterator[ManagedServer]:
    from warden_common.testing.servers.kafka import KafkaServer

    home = tempfile.mkdtemp(prefix="warden-logger-late-kafka-")
    sockets = [socket.socket() for _ in range(2)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    port, controller = (int(sock.getsockname()[1]) for sock in sockets)
    for sock in sockets:
        sock.close()
    monkeypatch.setenv("WARDEN_INFRA_HOME", home)
    monkeypatch.setenv("WARDEN_INFRA_KAFKA_PORT", str(port))
    monkeypatch.setenv("WARDEN_INFRA_KAFKA_CONTROLLER_PORT", str(controller))
    kafka = KafkaServer()
    try:
        yield kafka
    finally:
        kafka.stop()
        shutil.rmtree(home, ignore_errors=True)


@contextlib.asynccontextmanager
async def running_logger(settings: RequestLoggerSettings) -> AsyncIterator[httpx.AsyncClient]:
    """The real app with its own platform (the bus built from `settings.bus`), lifespan and all."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://request-logger") as client:
            yield client


def prediction(rid: str) -> list[CloudEvent]:
    common = {"source": "http://iris-default:8000/", "datacontenttype": "application/json", "requestid": rid,
              "inferenceservicename": "iris", "namespace": "late", "endpoint": "default"}  # fmt: skip
    return [
        CloudEvent({**common, "type": "io.seldon.serving.inference.request", "id": str(uuid.uuid4())},
                   data={"data": {"names": ["a", "b"], "ndarray": [[1.0, 2.0]]}}),
        CloudEvent({**common, "type": "io.seldon.serving.inference.response", "id": str(uuid.uuid4())},
                   data={"data": {"names": ["t:0"], "ndarray": [[0.5]]}}),
    ]  # fmt: skip


@pytest.mark.timeout(400)
async def test_logger_started_while_kafka_is_down_becomes_ready_and_consumes_once_it_is_up(
    stopped_kafka: ManagedServer, opensearch_url: str, unique_name: str
) -> None:
    topic = f"inference-{unique_name}"
    bus_settings = BusSettings(kind="kafka", kafka_bootstrap=stopped_kafka.endpoint, partitions=2)
    settings = RequestLoggerSettings(
        store="opensearch", bus=bus_settings, consumer_group=f"rl-{unique_name}", input_topics=[topic],
        instance_id=unique_name,
        opensearch=OpenSearchSettings(url=opensearch_url, index_prefix=f"{unique_name}-", refresh_interval="200ms"),
    )  # fmt: skip
    try:
        async with asyncio.timeout(60):  # the app starts although nothing listens on the broker's port
            logger_cm = running_logger(settings)
            client = await logger_cm.__aenter__()
        try:
            answer = await client.get("/health/ready")
            assert answer.status_code == 503, answer.text
            assert answer.json()["checks"]["bus"] is False

            await asyncio.to_thread(stopped_kafka.start)

            async def ready() -> bool:
                return (await client.get("/health/ready")).status_code == 200

            await eventually(ready, "the logger to report ready once Kafka is up", within_s=120, interval_s=0.2)
            publisher = KafkaBus(bus_settings)
            await publisher.start()
            try:
                for event in prediction("late-1"):
                    await publisher.publish(event, topic=topic, key="late-1")
            finally:
                await publisher.close()

            async def stored() -> bool:
                found: dict[str, Any] = (await client.get("/api/v1alpha1/requests", params={
                    "namespace": "late", "name": "iris", "requestId": "late-1"})).json()  # fmt: skip
                return found.get("total") == 1 and "response" in found["requests"][0]

            await eventually(
                stored, "the prediction published after Kafka came up to be stored", within_s=120, interval_s=0.2
            )
        finally:
            await logger_cm.__aexit__(None, None, None)
    finally:
        async with httpx.AsyncClient(base_url=opensearch_url, timeout=30) as admin:
            await admin.delete(f"/{unique_name}-*", params={"expand_wildcards": "all"})
            for kind in ("inference-log", "inference-payload"):
                await admin.delete(f"/_index_template/{unique_name}-{kind}")
