"""`warden up` as a newcomer runs it: a real process, embedded PostgreSQL, every service on one port."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from warden_common.testing.auth import FIRST_ADMIN_ENV, bearer_headers
from warden_common.testing.processes import free_port, processes_using, wait_http_ok, warden_executable

pytestmark = pytest.mark.integration

SERVICES = ["gateway", "serving", "request-logger", "detectors", "metadata", "gitops-sync", "batch"]
READY_WITHIN_S = 30  # the bound for a fresh start; typical is a few seconds (see docs/benchmarks.md)


def _start(home: Path, port: int, stderr: Any = None) -> subprocess.Popen[bytes]:
    env = {**os.environ, **FIRST_ADMIN_ENV, "WARDEN_HOME": str(home)}  # auth is on: a known first administrator
    command = [str(warden_executable()), "up", "--port", str(port)]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=stderr)


def test_up_serves_every_service_and_stops_cleanly(warden_home: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = _start(warden_home, port)
    try:
        ready = wait_http_ok(f"{base}/health/ready", proc, READY_WITHIN_S).json()
        assert ready["mode"] == "standalone"
        assert sorted(ready["services"]) == sorted(SERVICES)
        assert all(entry["ready"] and entry["checks"]["bus"] for entry in ready["services"].values())
        skeletons = {name for name, entry in ready["services"].items() if entry.get("skeleton")}
        assert skeletons == set()  # every service has its features

        for service in SERVICES[1:]:
            assert httpx.get(f"{base}/{service}/health/live").json() == {"status": "alive"}
            assert httpx.get(f"{base}/{service}/health/ready").status_code == 200
        metrics = httpx.get(f"{base}/metrics").text
        assert (
            'warden_http_requests_total{method="GET",route="/health/ready",service="metadata",status="200"}' in metrics
        )

        postgres_pid = int((warden_home / "postgres" / "postmaster.pid").read_text().split()[0])
        assert psutil.pid_exists(postgres_pid)
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0

    deadline = time.monotonic() + 10
    while processes_using(warden_home) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not processes_using(warden_home), "warden up left processes behind"
    assert not psutil.pid_exists(postgres_pid) or psutil.Process(postgres_pid).status() == psutil.STATUS_ZOMBIE


def test_up_restarts_on_the_same_home(warden_home: Path) -> None:
    """State persists: a second start on the same $WARDEN_HOME reuses the initialised database."""
    for _ in range(2):
        port = free_port()
        proc = _start(warden_home, port)
        try:
            wait_http_ok(f"http://127.0.0.1:{port}/health/ready", proc, READY_WITHIN_S)
        finally:
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=30) == 0
    assert (warden_home / "postgres" / "PG_VERSION").exists()


def test_up_says_once_per_service_that_it_is_ready_then_where_warden_is(warden_home: Path, tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "up.log"
    with log.open("wb") as stderr:
        proc = _start(warden_home, port, stderr)
        try:
            wait_http_ok(f"{base}/health/ready", proc, READY_WITHIN_S)
            deadline = time.monotonic() + 10  # the server answers as soon as it listens, a moment before the line
            while "Warden is ready" not in log.read_text() and time.monotonic() < deadline:
                time.sleep(0.1)
            lines = [json.loads(line) for line in log.read_text().splitlines()]
            messages = [line["message"] for line in lines]
            api, swagger = f"{base}/seldon-deploy/api/v1alpha1", f"{base}/seldon-deploy/swagger/"
            assert messages[-1] == f"Warden is ready at {base} (API {api}, Swagger {swagger})", messages
            assert "ui" not in lines[-1] and lines[-1]["swagger"] == f"{base}/seldon-deploy/swagger/"
            # Every printed URL answers (no UI URL until it exists); the API to a signed-in caller only.
            assert httpx.get(lines[-1]["swagger"]).status_code == 200
            namespaces = f"{lines[-1]['api']}/namespaces"
            assert httpx.get(namespaces).status_code == 401
            assert httpx.get(namespaces, headers=bearer_headers(base)).status_code == 200
            said_ready = [m.removesuffix(" ready") for m in messages if m.endswith(" ready")]
            assert sorted(said_ready) == sorted([*SERVICES, "embedded postgres"])  # once each
            # The rest of a first start: where it runs, the schemas it migrated, the first administrator it created
            # and the authorization policy it loaded; per-partition and per-step lines (bus, migrations, pg_ctl,
            # uvicorn) only at debug.
            others = [m for m in messages[:-1] if not m.endswith(" ready")]
            assert others[0] == f"starting warden standalone in {warden_home.resolve()}"
            once = ["created the first administrator from WARDEN_ADMIN_USER", "authorization policy loaded"]
            assert [m for m in others if m in once] == once, others
            assert all(m == "schema migrated" for m in others[1:] if m not in once), others
            assert [line for line in lines if line["level"] != "info"] == []
        finally:
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=30) == 0


def test_a_clean_stop_after_a_kill_leaves_nothing_behind(warden_home: Path, demo_models: dict[str, str]) -> None:
    """`kill -9` leaves the embedded PostgreSQL and the MLServer processes running; the next `warden up` adopts
    (or reaps) them, and its Ctrl-C stops everything."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = _start(warden_home, port)
    try:
        wait_http_ok(f"{base}/health/ready", proc, READY_WITHIN_S)
        body = {
            "apiVersion": "machinelearning.seldon.io/v1", "kind": "SeldonDeployment",
            "metadata": {"name": "iris", "namespace": "seldon"},
            "spec": {"predictors": [{"name": "default", "replicas": 1, "graph": {
                "name": "classifier", "implementation": "SKLEARN_SERVER", "modelUri": demo_models["iris-sklearn"]}}]},
        }  # fmt: skip
        api = f"{base}/seldon-deploy/api/v1alpha1/namespaces/seldon/seldondeployments"
        headers = bearer_headers(base)
        assert httpx.post(api, json=body, timeout=30, headers=headers).status_code == 201
        deadline = time.monotonic() + 120
        while httpx.get(f"{api}/iris", headers=headers).json()["status"].get("state") != "Available":
            assert time.monotonic() < deadline, "iris not Available"
            time.sleep(0.3)
    finally:
        proc.kill()  # SIGKILL: no cleanup at all
        proc.wait(timeout=10)
    left = _kinds_of(processes_using(warden_home))
    assert {"postgres", "mlserver"} <= left, left  # what a killed run leaves behind

    port = free_port()
    proc = _start(warden_home, port)
    try:
        wait_http_ok(f"http://127.0.0.1:{port}/health/ready", proc, READY_WITHIN_S)
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0
    deadline = time.monotonic() + 10
    while processes_using(warden_home) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _kinds_of(processes_using(warden_home)), "warden up left processes behind"


def _kinds_of(processes: list[psutil.Process]) -> set[str]:
    """`postgres` / `mlserver` / other, for the live (non-zombie) processes among `processes`."""
    kinds = set()
    for proc in processes:
        try:
            if proc.status() == psutil.STATUS_ZOMBIE:
                continue
            command = " ".join(proc.cmdline())
        except psutil.Error:
            continue  # exited meanwhile
        kinds.add("postgres" if "postgres" in proc.name() else "mlserver" if "mlserver" in command else command)
    return kinds
