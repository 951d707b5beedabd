"""`warden up` as a newcomer runs it: a real process, embedded PostgreSQL, every service on one port."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import psutil
import pytest

from warden_common.testing.processes import free_port, processes_using, wait_http_ok, warden_executable

pytestmark = pytest.mark.integration

SERVICES = ["gateway", "serving", "request-logger", "detectors", "metadata", "gitops-sync", "batch"]
READY_WITHIN_S = 30  # the bound for a fresh start; typical is a few seconds (see docs/benchmarks.md)


def _start(home: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "WARDEN_HOME": str(home)}
    return subprocess.Popen([str(warden_executable()), "up", "--port", str(port)], env=env, stdout=subprocess.DEVNULL)


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
        assert skeletons == {"batch", "detectors", "gitops-sync"}  # until their features are built

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
