"""A load test through the API against `warden up` serving the iris demo model (default 70 % + canary 30 %), as a
person runs one; prints the job's result (throughput, latency percentiles per endpoint) as JSON.

Run: `uv run python bench/load_test/run.py [--requests 2000] [--connections 4] [--rounds 1]`. Loopback only: the
load generator (a process of its own, started by the gateway) shares the machine's cores with the server it
measures, so these are figures of the whole machine.

Then it reads the same requests back from request monitoring (`{deployment}/monitor/requests` over the job's time
range: the data plane's own latency histogram, Warden's rollups in standalone) and prints, per predictor, the
monitor's p50 / p99 beside the load tester's and their ratio (issue 14: p99 agrees within 10%). The load tester
times each call from its side (through the data-plane route, client and HTTP included); the monitor times it inside
the data plane, and reads a percentile off histogram buckets ~1.25x apart.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from warden_common.testing.auth import bearer_headers
from warden_common.testing.processes import running_warden_up
from warden_common.testing.waiting import wait_until

API = "/seldon-deploy/api/v1alpha1"
DEPLOYMENT = f"{API}/namespaces/seldon/seldondeployments/iris"
PAYLOAD = {"data": {"ndarray": [[6.8, 2.8, 4.8, 1.4]]}}


def _iris(model_uri: str) -> dict[str, object]:
    graph = {"name": "classifier", "implementation": "SKLEARN_SERVER", "modelUri": model_uri}
    return {"apiVersion": "machinelearning.seldon.io/v1", "kind": "SeldonDeployment",
            "metadata": {"name": "iris", "namespace": "seldon"},
            "spec": {"predictors": [{"name": "default", "traffic": 70, "graph": graph},
                                    {"name": "canary", "traffic": 30, "graph": graph}]}}  # fmt: skip


@contextlib.contextmanager
def iris_on_warden_up() -> Iterator[httpx.Client]:
    """`warden up` in a temporary home with the iris demo deployed (default 70 % + canary 30 %) and Available; yields
    an API client signed in as the first administrator (its `base_url` is Warden's)."""
    with tempfile.TemporaryDirectory(prefix="wl") as tmp:
        home = Path(tmp) / "h"
        warden = Path(sys.executable).with_name("warden")
        demo = subprocess.run([str(warden), "demo"], env={**os.environ, "WARDEN_HOME": str(home)},
                              capture_output=True, text=True, check=True, timeout=300)  # fmt: skip
        uri = dict(line.split("\t") for line in demo.stdout.splitlines() if "\t" in line)["iris-sklearn"]
        with running_warden_up(home) as base, httpx.Client(base_url=base, headers=bearer_headers(base)) as client:
            assert client.post(f"{API}/namespaces/seldon/seldondeployments", json=_iris(uri)).status_code == 201
            wait_until("iris Available",
                       lambda: client.get(DEPLOYMENT).json()["status"].get("state") == "Available", 180)  # fmt: skip
            yield client


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    with iris_on_warden_up() as client:
        for round_ in range(args.rounds):
            if round_:
                time.sleep(21)  # the window this round's monitor query starts in must hold none of the last one's
            _one_load_test(client, args.requests, args.connections)


def _one_load_test(client: httpx.Client, requests: int, connections: int) -> None:
    body = {"connectionsNumber": connections, "requestsNumber": requests, "payload": PAYLOAD}
    started = time.time() - 10  # the monitor's windows are 10 s; start one earlier
    job = client.post(f"{DEPLOYMENT}/loadtestjobs", json=body).json()["jobName"]

    def finished() -> dict[str, Any] | None:
        jobs = {j["jobName"]: j for j in client.get(f"{DEPLOYMENT}/loadtestjobs").json()["jobs"]}
        return jobs[job] if jobs[job]["status"] not in ("Pending", "Running") else None

    result = wait_until("the load test", finished, 600)
    print(json.dumps({"status": result["status"], "load_average": os.getloadavg(), **result["result"]}))
    _compare_with_monitoring(client, result["result"], started, requests)


def _monitored(client: httpx.Client, start: float) -> dict[str, dict[str, Any]]:
    params = {"start": int(start), "end": int(time.time()) + 10, "step": 10}
    answer = client.get(f"{DEPLOYMENT}/monitor/requests", params=params).raise_for_status().json()
    return {p["predictor"]: p["total"] for p in answer["predictors"]}


def _compare_with_monitoring(client: httpx.Client, result: dict[str, Any], start: float, requests: int) -> None:
    """Wait until the monitor counts every request (its rollups are flushed every 10 s), then print both p99s."""

    def all_counted() -> dict[str, dict[str, Any]] | None:
        monitored = _monitored(client, start)
        return monitored if sum(t["requests"] for t in monitored.values()) >= requests else None

    monitored = wait_until("every load-test request in request monitoring", all_counted, 60)
    print("| predictor | requests (tester / monitor) | tester p50 / p99 ms | monitor p50 / p99 ms |", end="")
    print(" p99 monitor / tester |")
    print("|---|---|---|---|---:|")
    for name, own in sorted(result["endpoints"].items()):
        seen = monitored.get(name)
        if seen is None:
            print(f"| {name} | {own['requests']} / - | - | - | - |")
            continue
        mine, theirs = own["latencyMs"], seen["latencySeconds"]
        p50, p99 = theirs["p50"] * 1000, theirs["p99"] * 1000
        print(
            f"| {name} | {own['requests']} / {seen['requests']:.0f} | {mine['p50']:.1f} / {mine['p99']:.1f} | "
            f"{p50:.1f} / {p99:.1f} | {p99 / mine['p99']:.2f} |"
        )


if __name__ == "__main__":
    main()
