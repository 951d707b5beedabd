"""Apache Kafka 4.x, single node in KRaft mode (broker + controller in one JVM), jars from Maven Central.

The version lives in `scripts/infra/maven/kafka/pom.xml`. Data persists in the data dir between restarts;
tests isolate themselves with unique topic names (`create_topic`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from warden_common.testing.servers.base import LaunchSpec, ManagedServer
from warden_common.testing.servers.config import LOOPBACK, env_path, env_port, repo_root
from warden_common.testing.servers.errors import InfraError
from warden_common.testing.servers.tools import java_executable, maven_libs, run_sync

if TYPE_CHECKING:
    from aiokafka.admin import AIOKafkaAdminClient

logger = logging.getLogger(__name__)

_LOG4J2 = """\
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
appender.stdout.type = Console
appender.stdout.name = STDOUT
appender.stdout.layout.type = PatternLayout
appender.stdout.layout.pattern = [%d] %p %m (%c)%n
logger.state.name = state.change.logger
logger.state.level = WARN
"""


class KafkaServer(ManagedServer):
    name = "kafka"
    start_timeout = 90.0

    def __init__(self) -> None:
        super().__init__()
        self._port = env_port("WARDEN_INFRA_KAFKA_PORT", 9092)
        self.controller_port = env_port("WARDEN_INFRA_KAFKA_CONTROLLER_PORT", 9093)
        self.data_dir = env_path("WARDEN_INFRA_KAFKA_DATA_DIR", self.state_dir / "data")

    @property
    def port(self) -> int:
        return self._port

    @property
    def endpoint(self) -> str:
        return f"{LOOPBACK}:{self._port}"

    def install(self) -> None:
        self._libs()

    def _libs(self) -> Path:
        return maven_libs(repo_root() / "scripts" / "infra" / "maven" / "kafka" / "pom.xml", "kafka")

    def _classpath(self) -> str:
        return f"{self._libs()}/*"

    def prepare(self) -> None:
        properties = self.state_dir / "server.properties"
        properties.write_text(self._server_properties())
        (self.state_dir / "log4j2.properties").write_text(_LOG4J2)
        if (self.data_dir / "meta.properties").exists():
            return
        # KRaft storage must be formatted once with a cluster id before the first start.
        java = java_executable()
        cluster_id = self._tool(java, ["random-uuid"]).strip().splitlines()[-1]
        self._tool(java, ["format", "-t", cluster_id, "-c", str(properties)])
        logger.info("formatted kafka storage %s (cluster id %s)", self.data_dir, cluster_id)

    def _tool(self, java: str, args: list[str]) -> str:
        argv = [java, f"-Dlog4j2.configurationFile={self.state_dir / 'log4j2.properties'}",
                "-cp", self._classpath(), "kafka.tools.StorageTool", *args]  # fmt: skip
        result = subprocess.run(argv, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise InfraError(f"kafka StorageTool {args[0]} failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    def _server_properties(self) -> str:
        settings = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@{LOOPBACK}:{self.controller_port}",
            "listeners": f"PLAINTEXT://{LOOPBACK}:{self._port},CONTROLLER://{LOOPBACK}:{self.controller_port}",
            "advertised.listeners": f"PLAINTEXT://{LOOPBACK}:{self._port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs": str(self.data_dir),
            # A single node cannot satisfy the default replication of Kafka's internal topics.
            "offsets.topic.replication.factor": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            # Tests join consumer groups constantly; the default 3 s delay would slow every one of them.
            "group.initial.rebalance.delay.ms": "0",
            "num.partitions": "1",
        }
        return "".join(f"{key}={value}\n" for key, value in settings.items())

    def launch_spec(self) -> LaunchSpec:
        return LaunchSpec(
            argv=[
                java_executable(), "-Xmx512m", "-Xms256m",
                f"-Dlog4j2.configurationFile={self.state_dir / 'log4j2.properties'}",
                "-cp", self._classpath(), "kafka.Kafka", str(self.state_dir / "server.properties"),
            ]
        )  # fmt: skip

    def probe(self) -> bool:
        try:
            run_sync(lambda: _fetch_metadata(self.endpoint))
        except Exception as exc:  # any client failure means "not ready yet"
            logger.debug("kafka probe failed: %s", exc)
            return False
        return True


@contextlib.asynccontextmanager
async def _admin_client(bootstrap: str, *, timeout_ms: int = 10_000) -> AsyncIterator[AIOKafkaAdminClient]:
    """A started admin client, closed on the way out. Starting it bootstraps: the broker answers a metadata request."""
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=timeout_ms)
    await admin.start()
    try:
        yield admin
    finally:
        await admin.close()


async def _fetch_metadata(bootstrap: str) -> None:
    async with _admin_client(bootstrap, timeout_ms=3000) as admin:
        await admin.describe_cluster()


_LEADER_WAIT_SECONDS = 30.0


async def create_topic(bootstrap: str, name: str, partitions: int = 1) -> None:
    """Create `name` and wait until every partition has a leader, so the first produce does not bounce."""
    from aiokafka.admin import NewTopic

    async with _admin_client(bootstrap) as admin:
        response = await admin.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1)])
        _raise_topic_errors(response.topic_errors)
        deadline = time.monotonic() + _LEADER_WAIT_SECONDS
        while True:
            [described] = await admin.describe_topics([name])
            ready = described.get("partitions") or []
            if (
                described.get("error_code", 0) == 0
                and len(ready) == partitions
                and all(p.get("leader", -1) >= 0 for p in ready)
            ):
                return
            if time.monotonic() > deadline:
                raise InfraError(
                    f"topic {name} has no leader for all {partitions} partitions after {_LEADER_WAIT_SECONDS:.0f}s"
                )
            await asyncio.sleep(0.1)


async def list_topics(bootstrap: str) -> set[str]:
    """Names of every topic on the broker."""
    async with _admin_client(bootstrap) as admin:
        return set(await admin.list_topics())


async def delete_topic(bootstrap: str, name: str) -> None:
    async with _admin_client(bootstrap) as admin:
        response = await admin.delete_topics([name])
        _raise_topic_errors(response.topic_error_codes)


def _raise_topic_errors(results: list[tuple[Any, ...]]) -> None:
    """The admin client returns per-topic error codes instead of raising; turn them into aiokafka errors."""
    from aiokafka.errors import for_code

    for topic, code, *message in results:
        if code != 0:
            raise for_code(code)(f"topic {topic}: {message[0] if message and message[0] else 'error'}")
