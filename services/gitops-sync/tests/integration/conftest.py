"""The gateway and gitops-sync in one process (as `warden up` runs them), on a real PostgreSQL database and bus,
with a local bare repository as the GitOps remote and real `git` everywhere."""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
from fastapi import FastAPI, Request
from pydantic import SecretStr

from warden_common.auth.settings import AuthSettings
from warden_common.bus.factory import create_bus
from warden_common.platform import Platform
from warden_common.settings import BusSettings, RetryPolicy
from warden_gateway.main import create_app as create_gateway
from warden_gateway.settings import GatewaySettings
from warden_gitops_sync.main import create_app as create_gitops
from warden_gitops_sync.settings import GitopsSyncSettings

API = "/seldon-deploy/api/v1alpha1"
POLL_S = 0.5
FAST_RETRY = RetryPolicy(max_attempts=3, initial_backoff_s=0.05, max_backoff_s=0.2)


def git(cwd: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "bob",
        "GIT_AUTHOR_EMAIL": "bob@example.com",
        "GIT_COMMITTER_NAME": "bob",
        "GIT_COMMITTER_EMAIL": "bob@example.com",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "PATH": "/usr/bin:/bin:/usr/local/bin",
    }
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return done.stdout


@dataclass
class Warden:
    client: httpx.AsyncClient
    state_dir: Path
    remote: Path
    gateway: FastAPI
    remote_url: str

    async def namespace(self, name: str, *, gitops: bool, git_repo: str | None = None) -> None:
        body: dict[str, Any] = {"name": name}
        if gitops:
            repo = git_repo or self.remote_url
            body |= {"labels": {"seldon.gitops": "enabled"}, "annotations": {"git-repo": repo}}
        answer = await self.client.post(f"{API}/namespaces", json=body)
        assert answer.status_code == 201, answer.text

    def clone(self, into: Path) -> Path:
        """Another writer's clone of the remote."""
        git(into.parent, "clone", "--quiet", str(self.remote), into.name)
        return into


def seldon_deployment(namespace: str, name: str, model_uri: str = "gs://models/iris-v1") -> dict[str, Any]:
    return {
        "apiVersion": "machinelearning.seldon.io/v1",
        "kind": "SeldonDeployment",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "predictors": [
                {
                    "name": "default",
                    "replicas": 1,
                    "traffic": 100,
                    "graph": {"name": "classifier", "implementation": "SKLEARN_SERVER", "modelUri": model_uri},
                }
            ]
        },
    }


@pytest.fixture
def serving_stub() -> FastAPI:
    app = FastAPI()

    @app.post("/seldon/{namespace}/{name}/{rest:path}")
    async def data_plane(namespace: str, name: str, rest: str, request: Request) -> dict[str, Any]:
        return {"data": {"ndarray": [[1.0]]}}

    return app


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    """A bare repository standing for the GitOps remote (a local path, as the `git-repo` annotation allows)."""
    path = tmp_path / "remote.git"
    path.mkdir()
    git(path, "init", "--quiet", "--bare", "--initial-branch", "main")
    return path


@pytest.fixture
def remote_url(remote: Path) -> str:
    """What GitOps namespaces' `git-repo` names (the bare repository's path; a test may serve it otherwise)."""
    return str(remote)


@pytest.fixture
def gitops_settings() -> dict[str, Any]:
    """More settings of gitops-sync (credentials), for a test module to override."""
    return {}


@pytest.fixture
def poll_s() -> float:
    """gitops-sync's poll interval; a test parametrizes it to 0 to show the webhook alone."""
    return POLL_S


@pytest.fixture
async def warden(
    fresh_database: str,
    serving_stub: FastAPI,
    tmp_path: Path,
    remote: Path,
    remote_url: str,
    gitops_settings: dict[str, Any],
    poll_s: float,
) -> AsyncIterator[Warden]:
    bus = create_bus(
        BusSettings(kind="postgres", postgres_dsn=SecretStr(fresh_database), partitions=2, retry=FAST_RETRY)
    )
    await bus.start()
    try:
        state_dir = tmp_path / "gitops-state"
        apps: dict[str, FastAPI] = {"serving": serving_stub}
        platform = Platform(mode="standalone", bus=bus, database_dsn=fresh_database, local_apps=apps)
        settings = GitopsSyncSettings.model_validate(
            {"state_dir": state_dir, "poll_interval_s": poll_s, "git_timeout_s": 20, **gitops_settings}
        )
        gitops = apps["gitops-sync"] = create_gitops(settings, platform)
        gateway = create_gateway(GatewaySettings(auth=AuthSettings(enabled=False)), platform)
        async with gitops.router.lifespan_context(gitops), gateway.router.lifespan_context(gateway):
            transport = httpx.ASGITransport(app=gateway)
            async with httpx.AsyncClient(transport=transport, base_url="http://warden.test", timeout=30) as client:
                yield Warden(client=client, state_dir=state_dir, remote=remote, gateway=gateway, remote_url=remote_url)
        assert git_processes_in(state_dir) == [], "gitops-sync stopped and left git processes running"
    finally:
        await bus.close()


def git_processes_in(state_dir: Path) -> list[str]:
    """Processes working in gitops-sync's repositories (git and the helpers it starts), as `pid command line`."""
    found = []
    for proc in psutil.process_iter(["cwd", "cmdline"]):
        if (proc.info["cwd"] or "").startswith(str(state_dir)):
            found.append(f"{proc.pid} {' '.join(proc.info['cmdline'] or [])}")
    return found
