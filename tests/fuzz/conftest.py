"""Fixtures of the fuzz suite: one real `warden up` for every document, a running deployment."""

from __future__ import annotations

import os
import secrets
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from warden_common.testing.processes import processes_using, running_warden_up, warden_executable

READY_WITHIN_S = 60  # generous: CI runs this beside the other servers
AVAILABLE_WITHIN_S = 180  # a model server's first start on a busy 2-core machine
LIVE_NAMESPACE, LIVE_NAME = "fuzz-live", "iris"
API = "/seldon-deploy/api/v1alpha1"
ADMIN = "fuzz-admin"  # not "admin": the token endpoint's examples sign in as that one (wrongly: throttled)


@pytest.fixture(scope="session")
def warden_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("wh")  # short: the embedded server's Unix socket path must stay under 108 bytes
    yield home
    for leftover in processes_using(home):  # never leave a server behind, even when a test failed
        leftover.kill()


@pytest.fixture(scope="session")
def warden(warden_home: Path) -> Iterator[str]:
    """Base URL of a `warden up` on a fresh $WARDEN_HOME with auth off (every route's own logic answers anyone),
    shared by every document's run; `warden_with_auth` is the run with it on."""
    env = {"WARDEN_AUTH__ENABLED": "false"}
    with running_warden_up(warden_home, ready_within_s=READY_WITHIN_S, env=env) as base:
        yield base


@pytest.fixture(scope="session")
def warden_with_auth(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base URL, token) of a second `warden up`, with auth on (the default, said explicitly), and of its first
    administrator (password grant): every operation is allowed to it, so a run with the token reaches every route's
    logic."""
    home = tmp_path_factory.mktemp("wha")
    password = secrets.token_urlsafe(18)
    env = {"WARDEN_AUTH__ENABLED": "true", "WARDEN_ADMIN_USER": ADMIN, "WARDEN_ADMIN_PASSWORD": password}
    with running_warden_up(home, ready_within_s=READY_WITHIN_S, env=env) as base:  # kills what it leaves behind
        form = {"grant_type": "password", "client_id": "warden", "username": ADMIN, "password": password}
        answer = httpx.post(f"{base}/oauth2/token", data=form, timeout=30).raise_for_status()
        yield base, answer.json()["access_token"]


@pytest.fixture(scope="session")
def live_deployment(warden: str, warden_home: Path) -> tuple[str, str]:
    """(namespace, name) of a SeldonDeployment serving the demo iris model, once it is Available."""
    demo = subprocess.run(
        [str(warden_executable()), "demo"],
        env={**os.environ, "WARDEN_HOME": str(warden_home)},
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    model_uri = dict(line.split("\t") for line in demo.stdout.splitlines() if "\t" in line)["iris-sklearn"]
    api = f"{warden}{API}"
    httpx.post(f"{api}/namespaces", json={"name": LIVE_NAMESPACE}, timeout=10).raise_for_status()
    graph = {"name": "classifier", "implementation": "SKLEARN_SERVER", "modelUri": model_uri}
    body = {
        "apiVersion": "machinelearning.seldon.io/v1",
        "kind": "SeldonDeployment",
        "metadata": {"name": LIVE_NAME, "namespace": LIVE_NAMESPACE},
        "spec": {"predictors": [{"name": "default", "replicas": 1, "traffic": 100, "graph": graph}]},
    }
    deployments = f"{api}/namespaces/{LIVE_NAMESPACE}/seldondeployments"
    httpx.post(deployments, json=body, timeout=30).raise_for_status()
    deadline, state = time.monotonic() + AVAILABLE_WITHIN_S, None
    while time.monotonic() < deadline:
        state = httpx.get(f"{deployments}/{LIVE_NAME}", timeout=10).json().get("status", {}).get("state")
        if state == "Available":
            return LIVE_NAMESPACE, LIVE_NAME
        time.sleep(0.5)
    raise AssertionError(f"{LIVE_NAMESPACE}/{LIVE_NAME} not Available within {AVAILABLE_WITHIN_S}s (last: {state})")
