"""Nothing lost: 10,000 predictions while OpenSearch, the logger and the Kafka broker are each restarted once.

The test runs its own Kafka broker and OpenSearch node (other ports, its own state dir) through the project's
infra server classes, so stopping them does not disturb other suites using the shared servers. Predictions are
executor-format request + response events published to the bus (key = request id), as the serving runtime
does; the publisher retries a publish that fails while the broker is away (a retried publish may duplicate an
event on the bus, which the logger's idempotent upserts must absorb). The logger runs as its own process and
is killed with SIGKILL mid-run. At the end OpenSearch must hold exactly 10,000 request documents, each with
its request and its response, and no other document.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cloudevents.core.v1.event import CloudEvent

from warden_common.bus.kafka import KafkaBus
from warden_common.settings import BusSettings, RetryPolicy
from warden_common.testing.servers.base import ManagedServer
from warden_common.testing.waiting import eventually

pytestmark = pytest.mark.integration
logger = logging.getLogger(__name__)

PREDICTIONS = 10_000


def _free_ports(count: int) -> list[int]:
    import socket

    sockets, ports = [], []
    for _ in range(count):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sockets.append(sock)
        ports.append(sock.getsockname()[1])
    for sock in sockets:
        sock.close()
    return ports


@pytest.fixture
def private_servers(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[ManagedServer, ManagedServer]]:
    """A Kafka broker and an OpenSearch node of this test alone (started, stopped after)."""
    from warden_common.testing.servers.kafka import KafkaServer
    from warden_common.testing.servers.opensearch import OpenSearchServer

    home = tempfile.mkdtemp(prefix="warden-noloss-")
    kafka_port, controller_port, os_port, os_transport = _free_ports(4)
    for name, value in (
        ("WARDEN_INFRA_HOME", home), ("WARDEN_INFRA_KAFKA_PORT", kafka_port),
        ("WARDEN_INFRA_KAFKA_CONTROLLER_PORT", controller_port), ("WARDEN_INFRA_OPENSEARCH_PORT", os_port),
        ("WARDEN_INFRA_OPENSEARCH_TRANSPORT_PORT", os_transport),
    ):  # fmt: skip
        monkeypatch.setenv(name, str(value))
    kafka, opensearch = KafkaServer(), OpenSearchServer()
    try:
        kafka.start()
        opensearch.start()
        yield kafka, opensearch
    finally:
        for server in (kafka, opensearch):
            server.stop()
        import shutil

        shutil.rmtree(home, ignore_errors=True)


def prediction(n: int) -> tuple[str, CloudEvent, CloudEvent]:
    rid = f"p{n:05d}-{uuid.uuid4().hex[:8]}"
    common = {
        "source": "http://iris-default:8000/",
        "datacontenttype": "application/json",
        "requestid": rid,
        "modelid": "classifier",
        "inferenceservicename": "iris",
        "namespace": "noloss",
        "endpoint": "default",
    }
    request = CloudEvent(
        {**common, "type": "io.seldon.serving.inference.request", "id": str(uuid.uuid4())},
        data={"data": {"names": ["a", "b", "c", "d"], "ndarray": [[n, 2.0, 3.0, 4.0]]}},
    )
    response = CloudEvent({**common, "type": "io.seldon.serving.inference.response", "id": str(uuid.uuid4())},
                          data={"data": {"names": ["t:0", "t:1"], "ndarray": [[0.25, 0.75]]}})  # fmt: skip
    return rid, request, response


class LoggerProcess:
    """`python -m warden_request_logger`; it must never exit by itself (Kafka or OpenSearch going away included)."""

    def __init__(self, env: dict[str, str], log_file: Path) -> None:
        self._env = env
        self._log_file = log_file
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self._log_file.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "warden_request_logger", env={**os.environ, **self._env},
                stdout=asyncio.subprocess.DEVNULL, stderr=log,
            )  # fmt: skip

    def assert_running(self) -> None:
        assert self.process is not None
        assert self.process.returncode is None, (
            f"the logger exited by itself (rc={self.process.returncode}): {self._log_file.read_text()[-3000:]}"
        )

    async def wait_ready(self, within_s: float = 120.0) -> None:
        url = f"http://127.0.0.1:{self._env['WARDEN_LOGGER_PORT']}/health/ready"
        async with httpx.AsyncClient(timeout=2.0) as client:

            async def ready() -> bool:
                self.assert_running()
                try:
                    return (await client.get(url)).status_code == 200
                except httpx.HTTPError:
                    return False

            await eventually(ready, "the logger to report ready", within_s=within_s, interval_s=0.5)

    async def kill_and_restart(self) -> None:
        """SIGKILL the process (no goodbye to the group, nothing flushed), then start a new one."""
        self.assert_running()
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()
        await self.start()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


@pytest.fixture
async def publisher(private_servers: tuple[ManagedServer, ManagedServer]) -> AsyncIterator[KafkaBus]:
    kafka, _ = private_servers
    retry = RetryPolicy(max_attempts=5, initial_backoff_s=0.2, max_backoff_s=2.0, multiplier=2.0)
    bus = KafkaBus(BusSettings(kind="kafka", kafka_bootstrap=kafka.endpoint, partitions=4, retry=retry))
    await bus.start()
    yield bus
    await bus.close()


async def publish_until_acked(bus: KafkaBus, event: CloudEvent, topic: str, key: str) -> None:
    while True:
        try:
            await asyncio.wait_for(bus.publish(event, topic=topic, key=key), 30)
            return
        except Exception as exc:  # broker away: try again (may duplicate on the bus; the logger must absorb that)
            logger.info("publish failed, retrying: %r", exc)
            await asyncio.sleep(1.0)


async def count(client: httpx.AsyncClient, index: str, query: dict[str, Any] | None = None) -> int:
    await client.post(f"/{index}/_refresh")
    answer = await client.post(f"/{index}/_count", json={"query": query or {"match_all": {}}})
    answer.raise_for_status()
    return int(answer.json()["count"])


async def request_ids(client: httpx.AsyncClient, index: str) -> list[str]:
    """Every stored document's request id (keyset paging through the whole index)."""
    ids: list[str] = []
    after: list[Any] | None = None
    while True:
        body: dict[str, Any] = {"size": 2000, "_source": ["requestId"], "sort": [{"docId": "asc"}]}
        if after is not None:
            body["search_after"] = after
        answer = await client.post(f"/{index}/_search", json=body)
        answer.raise_for_status()
        hits = answer.json()["hits"]["hits"]
        if not hits:
            return ids
        ids.extend(hit["_source"]["requestId"] for hit in hits)
        after = hits[-1]["sort"]


@pytest.mark.timeout(1500)
async def test_ten_thousand_predictions_survive_restarts_of_opensearch_logger_and_broker(
    private_servers: tuple[ManagedServer, ManagedServer], publisher: KafkaBus, tmp_path: Path
) -> None:
    kafka, opensearch = private_servers
    topic, prefix = f"noloss-{uuid.uuid4().hex[:8]}", f"noloss{uuid.uuid4().hex[:6]}-"
    env = {
        "WARDEN_LOGGER_PORT": str(_free_ports(1)[0]), "WARDEN_LOGGER_BUS__KIND": "kafka",
        "WARDEN_LOGGER_BUS__KAFKA_BOOTSTRAP": kafka.endpoint, "WARDEN_LOGGER_BUS__PARTITIONS": "4",
        "WARDEN_LOGGER_STORE": "opensearch", "WARDEN_LOGGER_OPENSEARCH__URL": opensearch.endpoint,
        "WARDEN_LOGGER_OPENSEARCH__INDEX_PREFIX": prefix, "WARDEN_LOGGER_INPUT_TOPICS": f'["{topic}"]',
        "WARDEN_LOGGER_CONSUMER_GROUP": f"rl-{topic}", "WARDEN_LOGGER_INSTANCE_ID": topic,
        "WARDEN_LOGGER_LOG_LEVEL": "WARNING",
    }  # fmt: skip
    logger_process = LoggerProcess(env, tmp_path / "logger.log")
    await logger_process.start()
    await logger_process.wait_ready()
    published = 0
    sent: set[str] = set()
    restarts: list[str] = []

    async def publish_all() -> None:
        nonlocal published
        for start in range(0, PREDICTIONS, 50):
            batch = [prediction(n) for n in range(start, min(start + 50, PREDICTIONS))]
            sent.update(rid for rid, _, _ in batch)
            await asyncio.gather(*(publish_until_acked(publisher, ev, topic, rid)
                                   for rid, req, resp in batch for ev in (req, resp)))  # fmt: skip
            published += len(batch)
            await asyncio.sleep(0.25)  # ~200 predictions/s: the run spans all three restarts

    async def when_published(n: int) -> None:
        while True:
            if published >= n:
                return
            await asyncio.sleep(0.1)

    publishing = asyncio.create_task(publish_all())
    try:
        await when_published(2_000)
        await asyncio.to_thread(opensearch.stop)
        restarts.append(f"opensearch stopped at {published}")
        await asyncio.sleep(5)
        await asyncio.to_thread(opensearch.start)
        restarts.append(f"opensearch back at {published}")

        await when_published(5_000)
        await logger_process.kill_and_restart()
        restarts.append(f"logger killed at {published}")
        await logger_process.wait_ready()
        restarts.append(f"logger back at {published}")

        await when_published(7_500)
        await asyncio.to_thread(kafka.stop)
        restarts.append(f"kafka stopped at {published}")
        await asyncio.sleep(5)
        await asyncio.to_thread(kafka.start)
        restarts.append(f"kafka back at {published}")
        await asyncio.wait_for(publishing, 600)
    finally:
        if not publishing.done():
            publishing.cancel()

    index = f"{prefix}inference-log.*"
    async with httpx.AsyncClient(base_url=opensearch.endpoint, timeout=60) as client:
        deadline = time.monotonic() + 600
        complete = {"bool": {"filter": [{"exists": {"field": "request.time"}}, {"exists": {"field": "response.time"}}]}}
        while True:
            stored = await count(client, index, complete)
            if stored >= PREDICTIONS or time.monotonic() > deadline:
                break
            await asyncio.sleep(2)
        total = await count(client, index)
        stored_ids = await request_ids(client, index)
    logger_process.assert_running()  # through the OpenSearch and broker restarts, with no supervisor
    await logger_process.stop()
    logger.info("restarts: %s", restarts)
    assert len(restarts) == 6, restarts
    assert stored == PREDICTIONS, f"{stored} complete documents of {PREDICTIONS} ({restarts})"
    assert total == PREDICTIONS, f"{total} documents in all: duplicates or strays"
    assert len(stored_ids) == PREDICTIONS, "a request id stored twice"
    assert set(stored_ids) == sent, "the stored requests are not the published ones"
