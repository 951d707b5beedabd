"""`warden serve <service>` in distributed mode: its own process, the real Kafka bus."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from warden_common.testing.auth import FIRST_ADMIN_ENV, bearer_headers
from warden_common.testing.processes import free_port, wait_http_ok
from warden_common.testing.servers.kafka import list_topics
from warden_common.testing.waiting import eventually

pytestmark = pytest.mark.integration
READS = {"metadata": "deployments", "detectors": "inference", "batch": "batch.work"}


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
    # Distributed services never migrate on their own: that is `warden migrate`'s job.
    command = [str(warden), "migrate", "--service", service]
    migrated = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert migrated.returncode == 0, migrated.stderr
    assert f"{service}: 0001" in migrated.stdout
    proc = subprocess.Popen([str(warden), "serve", service, "--port", str(port)], env=env)
    try:
        body = wait_http_ok(f"http://127.0.0.1:{port}/health/ready", proc, 60).json()
        assert body["status"] == "ready"
        assert body["checks"]["bus"] is True
        assert body["checks"]["database"] is True
        assert body.get("skeleton", False) is False  # every service has its features now
        # It reads events (deployments, inference, batch work items): from its own namespace's topic.
        topic = f"{unique_name}.warden.{READS[service]}"

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


def test_serve_gateway_with_auth_on_needs_its_issuer_and_passphrase_then_demands_tokens(
    kafka_bootstrap: str, fresh_database: str, unique_name: str
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    warden = Path(sys.executable).with_name("warden")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("WARDEN_GATEWAY_AUTH__")},
        "WARDEN_GATEWAY_BUS__KIND": "kafka",
        "WARDEN_GATEWAY_BUS__KAFKA_BOOTSTRAP": kafka_bootstrap,
        "WARDEN_GATEWAY_BUS__KAFKA_NAMESPACE": f"{unique_name}.",
        "WARDEN_GATEWAY_DATABASE__DSN": fresh_database,
        **FIRST_ADMIN_ENV,
    }
    serve = [str(warden), "serve", "gateway", "--port", str(port)]
    refused = subprocess.run(serve, env=env, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2  # auth is on by default: never silently open
    assert "WARDEN_GATEWAY_AUTH__ISSUER" in refused.stderr
    assert "WARDEN_GATEWAY_AUTH__SIGNING_KEY_PASSPHRASE" in refused.stderr

    migrated = subprocess.run([str(warden), "migrate", "--service", "gateway"], env=env, capture_output=True,
                              text=True, timeout=120)  # fmt: skip
    assert migrated.returncode == 0, migrated.stderr
    env |= {"WARDEN_GATEWAY_AUTH__ISSUER": base, "WARDEN_GATEWAY_AUTH__SIGNING_KEY_PASSPHRASE": f"e2e-{unique_name}"}
    proc = subprocess.Popen(serve, env=env)
    try:
        wait_http_ok(f"{base}/health/ready", proc, 60)
        namespaces = f"{base}/seldon-deploy/api/v1alpha1/namespaces"
        anonymous = httpx.get(namespaces)
        assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"].startswith("Bearer")
        signed_in = httpx.get(namespaces, headers=bearer_headers(base))  # through the discovery document
        assert signed_in.status_code == 200, signed_in.text
        assert "seldon" in [ns["name"] for ns in signed_in.json()]
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
