"""Distributed mode: `warden serve gateway` and `warden serve gitops-sync` as separate processes on the real Kafka;
the gateway commits through gitops-sync over HTTP (`WARDEN_GATEWAY_UPSTREAMS__GITOPS_SYNC`), gitops-sync's
poller publishes what others pushed to the remote on Kafka, and the gateway applies it."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from warden_common.testing.processes import free_port, warden_executable

from .test_dataplane_distributed import serving_process

pytestmark = pytest.mark.integration

API = "/seldon-deploy/api/v1alpha1"


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull}
    env |= {"GIT_AUTHOR_NAME": "bob", "GIT_AUTHOR_EMAIL": "bob@example.com"}
    env |= {"GIT_COMMITTER_NAME": "bob", "GIT_COMMITTER_EMAIL": "bob@example.com"}
    out: str = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout
    return out


def sdep(uri: str) -> dict[str, Any]:
    return {
        "apiVersion": "machinelearning.seldon.io/v1",
        "kind": "SeldonDeployment",
        "metadata": {"name": "iris"},
        "spec": {"predictors": [{"name": "default", "replicas": 1, "traffic": 100,
                 "graph": {"name": "classifier", "implementation": "SKLEARN_SERVER", "modelUri": uri}}]},
    }  # fmt: skip


@pytest.fixture
def gateway_and_gitops(kafka_bootstrap: str, fresh_database: str, unique_name: str, tmp_path: Path) -> Iterator[str]:
    """The gateway's base URL; gitops-sync behind it, both on one Kafka namespace."""
    bus = {"BUS__KIND": "kafka", "BUS__KAFKA_BOOTSTRAP": kafka_bootstrap, "BUS__KAFKA_NAMESPACE": f"{unique_name}."}
    gitops_port, gateway_port = free_port(), free_port()
    gitops_env = {f"WARDEN_GITOPS_{k}": v for k, v in bus.items()} | {
        "WARDEN_GITOPS_STATE_DIR": str(tmp_path / "gitops-state"),
        "WARDEN_GITOPS_POLL_INTERVAL_S": "1",
        "WARDEN_GITOPS_DATABASE__DSN": fresh_database,  # the sync status
    }
    gateway_env = {f"WARDEN_GATEWAY_{k}": v for k, v in bus.items()} | {
        "WARDEN_GATEWAY_DATABASE__DSN": fresh_database,
        "WARDEN_GATEWAY_AUTH__ENABLED": "false",  # GitOps across processes; auth there: test_dataplane_distributed
        "WARDEN_GATEWAY_UPSTREAMS__GITOPS_SYNC": f"http://127.0.0.1:{gitops_port}",
    }
    for service, env in (("gateway", gateway_env), ("gitops-sync", gitops_env)):  # they never migrate on their own
        migrate = [str(warden_executable()), "migrate", "--service", service]
        migrated = subprocess.run(migrate, env={**os.environ, **env}, capture_output=True, text=True, timeout=120)
        assert migrated.returncode == 0, migrated.stderr
        assert f"{service}: 0001" in migrated.stdout
    with ExitStack() as stack:
        stack.enter_context(serving_process("gitops-sync", {**os.environ, **gitops_env}, gitops_port, tmp_path))
        yield stack.enter_context(serving_process("gateway", {**os.environ, **gateway_env}, gateway_port, tmp_path))


def model_uri(client: httpx.Client) -> str:
    uri: str = client.get(f"{API}/namespaces/team/seldondeployments/iris").json()["spec"]["predictors"][0]["graph"][
        "modelUri"
    ]
    return uri


def test_commits_go_through_gitops_sync_and_pushed_commits_come_back_over_kafka(
    gateway_and_gitops: str, tmp_path: Path
) -> None:
    remote = tmp_path / "remote.git"
    remote.mkdir()
    git(remote, "init", "--quiet", "--bare", "--initial-branch", "main")
    with httpx.Client(base_url=gateway_and_gitops, timeout=30) as client:
        namespace = {"name": "team", "labels": {"seldon.gitops": "enabled"}, "annotations": {"git-repo": str(remote)}}
        assert client.post(f"{API}/namespaces", json=namespace).status_code == 201
        created = client.post(
            f"{API}/namespaces/team/seldondeployments", json=sdep("gs://models/v1"), params={"message": "v1"}
        )
        assert created.status_code == 201, created.text
        logs = client.get(f"{API}/namespaces/team/seldondeployments/iris/gitlogs").json()
        assert [c["Message"] for c in logs] == ["v1"]
        assert git(remote, "log", "--format=%s", "main").splitlines() == ["v1"]

        clone = tmp_path / "bob"
        git(tmp_path, "clone", "--quiet", str(remote), "bob")
        (clone / "team" / "iris.yaml").write_text(yaml.safe_dump(sdep("gs://models/v2")))
        git(clone, "commit", "--quiet", "-am", "bob's v2")
        git(clone, "push", "--quiet", "origin", "HEAD:main")

        deadline = time.monotonic() + 60  # a poll, then Kafka (a new consumer group may take a while to form)
        while model_uri(client) != "gs://models/v2" and time.monotonic() < deadline:
            time.sleep(0.5)
        assert model_uri(client) == "gs://models/v2"
        status = client.get(f"{API}/namespaces/team/gitops-status").json()
        assert status["lastSyncedCommit"] == git(remote, "rev-parse", "main").strip()
