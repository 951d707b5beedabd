"""Explanations in distributed mode: `warden serve` gateway, serving and detectors as separate processes on the
real Kafka. The gateway forwards the explain API to the detectors service, which calls the model on the serving
service directly (`WARDEN_DETECTORS_UPSTREAMS__SERVING`: no user token), without logging."""

from __future__ import annotations

import os
import subprocess
import time
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from warden_common.testing.metrics import requests_counted
from warden_common.testing.processes import free_port, processes_using, serving_process, warden_executable

pytestmark = pytest.mark.integration

API = "/seldon-deploy/api/v1alpha1"
DEPLOYMENT = f"{API}/namespaces/seldon/seldondeployments/income"
INCOME_ROW = [53, 4, 0, 2, 8, 4, 2, 0, 0, 0, 60, 9]


def test_an_income_anchor_through_the_gateway_detectors_and_serving_processes(
    kafka_bootstrap: str,
    fresh_database: str,
    unique_name: str,
    mlserver_bin: str,
    tmp_path: Path,
    demo_models: dict[str, str],
) -> None:
    uris = demo_models  # the session's `warden demo` (only read)
    bus = {"BUS__KIND": "kafka", "BUS__KAFKA_BOOTSTRAP": kafka_bootstrap, "BUS__KAFKA_NAMESPACE": f"{unique_name}."}
    ports = {name: free_port() for name in ("serving", "gateway", "detectors")}
    serving_url = f"http://127.0.0.1:{ports['serving']}"
    env = {
        "serving": {f"WARDEN_SERVING_{k}": v for k, v in bus.items()}
        | {"WARDEN_SERVING_DATA_DIR": str(tmp_path / "serving"), "WARDEN_SERVING_MLSERVER_BIN": mlserver_bin},
        "gateway": {f"WARDEN_GATEWAY_{k}": v for k, v in bus.items()}
        | {"WARDEN_GATEWAY_DATABASE__DSN": fresh_database, "WARDEN_GATEWAY_UPSTREAMS__SERVING": serving_url,
           "WARDEN_GATEWAY_AUTH__ENABLED": "false",  # auth across processes: test_dataplane_distributed
           "WARDEN_GATEWAY_UPSTREAMS__DETECTORS": f"http://127.0.0.1:{ports['detectors']}"},
        "detectors": {f"WARDEN_DETECTORS_{k}": v for k, v in bus.items()}
        | {"WARDEN_DETECTORS_DATABASE__DSN": fresh_database, "WARDEN_DETECTORS_UPSTREAMS__SERVING": serving_url},
    }  # fmt: skip
    for service in ("gateway", "detectors"):  # distributed services never migrate on their own
        migrate = [str(warden_executable()), "migrate", "--service", service]
        done = subprocess.run(migrate, env={**os.environ, **env[service]}, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    try:
        with ExitStack() as stack:
            for service in ("serving", "detectors", "gateway"):
                stack.enter_context(serving_process(service, {**os.environ, **env[service]}, ports[service], tmp_path))
            with httpx.Client(base_url=f"http://127.0.0.1:{ports['gateway']}", timeout=60) as client:
                graph = {"name": "model", "implementation": "SKLEARN_SERVER", "modelUri": uris["income-sklearn"]}
                manifest = {"apiVersion": "machinelearning.seldon.io/v1", "kind": "SeldonDeployment",
                            "metadata": {"name": "income", "namespace": "seldon"},
                            "spec": {"predictors": [{"name": "default", "replicas": 1, "graph": graph}]}}  # fmt: skip
                assert client.post(f"{API}/namespaces/seldon/seldondeployments", json=manifest).status_code == 201
                deadline = time.monotonic() + 180
                while client.get(DEPLOYMENT).json()["status"].get("state") != "Available":
                    assert time.monotonic() < deadline, "income not Available"
                    time.sleep(0.5)
                explainer = {"type": "AnchorTabular", "referenceUri": uris["income-reference"],
                             "config": {"coverage_samples": "500", "batch_size": "50"}}  # fmt: skip
                put = client.put(f"{DEPLOYMENT}/explainer", json=explainer)
                assert put.status_code == 200, put.text
                answer = client.post(f"{DEPLOYMENT}/explain", json={"data": {"ndarray": [INCOME_ROW]}})
                if answer.status_code == 202:  # the first explanation imports alibi in the worker
                    poll = f"{DEPLOYMENT}/{answer.headers['Location']}"
                    deadline = time.monotonic() + 60
                    while (stored := client.get(poll).json())["status"] == "running":
                        assert time.monotonic() < deadline, "the explanation did not finish"
                        time.sleep(0.5)
                    assert stored["status"] == "succeeded", stored
                    data = stored["explanation"]["data"]
                else:
                    assert answer.status_code == 200, answer.text
                    data = answer.json()["data"]
                assert data["anchor"] and data["precision"] >= 0.95
                assert data["anchor"][0].startswith("feature_")  # no schema given: columns are numbered
                # Each process counts the explain call in its request metrics (its own /metrics).
                explain = "/namespaces/{namespace}/seldondeployments/{name}/explain"
                for service, route in (("gateway", API + explain), ("detectors", "/api/v1alpha1" + explain)):
                    base = f"http://127.0.0.1:{ports[service]}"
                    assert requests_counted(base, service, "POST", route) == 1, service
    finally:
        for leftover in processes_using(tmp_path / "serving"):
            leftover.kill()
