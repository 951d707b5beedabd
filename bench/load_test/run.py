"""A load test through the API against `warden up` serving the iris demo model (default 70 % + canary 30 %), as a
person runs one; prints the job's result (throughput, latency percentiles per endpoint) as JSON.

Run: `uv run python bench/load_test/run.py [--requests 2000] [--connections 4]`. Loopback only; in standalone the
load generator shares the process with the server it measures, so these are figures of the whole machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from warden_common.testing.auth import bearer_headers
from warden_common.testing.processes import running_warden_up

API = "/seldon-deploy/api/v1alpha1"
DEPLOYMENT = f"{API}/namespaces/seldon/seldondeployments/iris"
PAYLOAD = {"data": {"ndarray": [[6.8, 2.8, 4.8, 1.4]]}}


def _iris(model_uri: str) -> dict[str, object]:
    graph = {"name": "classifier", "implementation": "SKLEARN_SERVER", "modelUri": model_uri}
    return {"apiVersion": "machinelearning.seldon.io/v1", "kind": "SeldonDeployment",
            "metadata": {"name": "iris", "namespace": "seldon"},
            "spec": {"predictors": [{"name": "default", "traffic": 70, "graph": graph},
                                    {"name": "canary", "traffic": 30, "graph": graph}]}}  # fmt: skip


def _wait(what: str, check: object, within_s: float) -> None:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.5)
    raise SystemExit(f"not within {within_s}s: {what}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wl") as tmp:
        home = Path(tmp) / "h"
        warden = Path(sys.executable).with_name("warden")
        demo = subprocess.run([str(warden), "demo"], env={**os.environ, "WARDEN_HOME": str(home)},
                              capture_output=True, text=True, check=True, timeout=300)  # fmt: skip
        uri = dict(line.split("\t") for line in demo.stdout.splitlines() if "\t" in line)["iris-sklearn"]
        with running_warden_up(home) as base, httpx.Client(base_url=base, headers=bearer_headers(base)) as client:
            assert client.post(f"{API}/namespaces/seldon/seldondeployments", json=_iris(uri)).status_code == 201
            _wait("iris Available", lambda: client.get(DEPLOYMENT).json()["status"].get("state") == "Available", 180)
            body = {"connectionsNumber": args.connections, "requestsNumber": args.requests, "payload": PAYLOAD}
            job = client.post(f"{DEPLOYMENT}/loadtestjobs", json=body).json()["jobName"]

            def done() -> bool:
                jobs = {j["jobName"]: j for j in client.get(f"{DEPLOYMENT}/loadtestjobs").json()["jobs"]}
                return jobs[job]["status"] not in ("Pending", "Running")

            _wait("the load test", done, 600)
            result = client.get(f"{DEPLOYMENT}/loadtestjobs").json()["jobs"][0]
            print(json.dumps({"status": result["status"], "load_average": os.getloadavg(), **result["result"]}))


if __name__ == "__main__":
    main()
