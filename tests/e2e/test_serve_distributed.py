"""`warden serve <service>` in distributed mode: its own process, the real Kafka bus."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from warden_common.testing.processes import free_port, wait_http_ok
from warden_common.testing.servers.kafka import list_topics
from warden_common.testing.waiting import eventually

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("service,prefix", [("batch", "BATCH"), ("metadata", "METADATA"), ("detectors", "DETECTORS")])
def test_serve_one_service_on_kafka(
    kafka_bootstrap: str, fresh_database: str, unique_name: str, service: str, prefix: str
) -> None:
    port = free_port()
    env = {
        **os.environ,
        f"WARDEN_{prefix}_BUS__KIND": "kafka",
        f"WARDEN_{prefix}_BUS__KAFKA_BOOTSTRAP": kafka_bootstrap,
        f"WARDEN_{prefix}_BUS__KAFKA_NAMESPACE": f"{unique_name}.",  # not the deployments other tests left
        f"WARDEN_{prefix}_DATABASE__DSN": fresh_database,
    }
    warden = Path(sys.executable).with_name("warden")
    if service != "batch":  # distributed services never migrate on their own: that is `warden migrate`'s job
        command = [str(warden), "migrate", "--service", service]
        migrated = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        assert migrated.returncode == 0, migrated.stderr
        assert f"{service}: 0001" in migrated.stdout
    proc = subprocess.Popen([str(warden), "serve", service, "--port", str(port)], env=env)
    try:
        body = wait_http_ok(f"http://127.0.0.1:{port}/health/ready", proc, 60).json()
        assert body["status"] == "ready"
        assert body["checks"]["bus"] is True
        # batch has no features yet: its health says so, the metadata service's does not
        assert body.get("skeleton", False) is (service == "batch")
        if service != "batch":  # it reads events (deployments, inference): from its own namespace's topic
            topic = f"{unique_name}.warden.{'deployments' if service == 'metadata' else 'inference'}"

            async def created() -> bool:
                return topic in await list_topics(kafka_bootstrap)

            asyncio.run(eventually(created, f"topic {topic} on the broker"))
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0


def test_serve_unknown_service_names_the_installed_ones() -> None:
    warden = Path(sys.executable).with_name("warden")
    result = subprocess.run([str(warden), "serve", "nope"], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "unknown service 'nope'" in result.stderr
    assert "request-logger" in result.stderr
