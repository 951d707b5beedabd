"""Distributed mode, one public entry: `warden serve gateway` and `warden serve serving` as separate processes on
the real Kafka, a SeldonDeployment of the demo iris model created through the gateway's API, and predictions made
through the gateway's public `/seldon/...` URL (Seldon protocol, V2 with tritonclient) and with the command
`predictcurl` prints. The gateway relays the data plane to the serving service (`WARDEN_GATEWAY_UPSTREAMS__SERVING`).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import tritonclient.http as triton

from warden_common.testing.auth import FIRST_ADMIN_ENV, bearer_headers
from warden_common.testing.processes import free_port, processes_using, serving_process, warden_executable

pytestmark = pytest.mark.integration

API = "/seldon-deploy/api/v1alpha1"
SETOSA = [5.1, 3.5, 1.4, 0.2]
SDEP = {
    "apiVersion": "machinelearning.seldon.io/v1",
    "kind": "SeldonDeployment",
    "metadata": {"name": "iris", "namespace": "seldon"},
    "spec": {"predictors": [{"name": "default", "replicas": 1, "traffic": 100,
             "graph": {"name": "classifier", "implementation": "SKLEARN_SERVER", "modelUri": ""}}]},
}  # fmt: skip


@pytest.fixture
def distributed(
    kafka_bootstrap: str, fresh_database: str, unique_name: str, mlserver_bin: str, tmp_path: Path
) -> Iterator[tuple[str, str]]:
    """(gateway base URL, serving base URL) of the two processes sharing one Kafka namespace."""
    bus = {"BUS__KIND": "kafka", "BUS__KAFKA_BOOTSTRAP": kafka_bootstrap, "BUS__KAFKA_NAMESPACE": f"{unique_name}."}
    serving_port, gateway_port = free_port(), free_port()
    serving_env = {f"WARDEN_SERVING_{k}": v for k, v in bus.items()} | {
        "WARDEN_SERVING_DATA_DIR": str(tmp_path / "serving"),
        "WARDEN_SERVING_MLSERVER_BIN": mlserver_bin,
    }
    gateway_env = {f"WARDEN_GATEWAY_{k}": v for k, v in bus.items()} | {
        "WARDEN_GATEWAY_DATABASE__DSN": fresh_database,
        "WARDEN_GATEWAY_UPSTREAMS__SERVING": f"http://127.0.0.1:{serving_port}",
        # Auth is on by default; a distributed gateway is told its public URL and its signing-key passphrase.
        "WARDEN_GATEWAY_AUTH__ISSUER": f"http://127.0.0.1:{gateway_port}",
        "WARDEN_GATEWAY_AUTH__SIGNING_KEY_PASSPHRASE": f"e2e-{unique_name}",
        "WARDEN_GATEWAY_USAGE__INTERVAL_S": "1",
        **FIRST_ADMIN_ENV,
    }
    migrate = [str(warden_executable()), "migrate", "--service", "gateway"]
    migrated = subprocess.run(migrate, env={**os.environ, **gateway_env}, capture_output=True, text=True, timeout=120)
    assert migrated.returncode == 0, migrated.stderr
    try:
        with ExitStack() as stack:
            serving = stack.enter_context(
                serving_process("serving", {**os.environ, **serving_env}, serving_port, tmp_path)
            )
            gateway = stack.enter_context(
                serving_process("gateway", {**os.environ, **gateway_env}, gateway_port, tmp_path)
            )
            yield gateway, serving
    finally:
        for leftover in processes_using(tmp_path / "serving"):  # MLServer processes, if serving died uncleanly
            leftover.kill()


def wait_available(client: httpx.Client, url: str, within_s: float = 180) -> dict[str, Any]:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        obj: dict[str, Any] = client.get(url).json()
        state = (obj.get("status") or {}).get("state")
        if state in ("Available", "Failed"):
            return obj
        time.sleep(0.5)
    raise AssertionError(f"{url} not Available within {within_s}s: {obj.get('status')}")


def assert_setosa(probabilities: list[float]) -> None:
    assert len(probabilities) == 3 and abs(sum(probabilities) - 1) < 1e-6
    assert probabilities.index(max(probabilities)) == 0  # a setosa, as every iris model says


def test_predictions_through_the_gateways_public_url_reach_the_serving_process(
    distributed: tuple[str, str], tmp_path: Path, demo_models: dict[str, str]
) -> None:
    gateway, serving = distributed
    spec = json.loads(json.dumps(SDEP))
    spec["spec"]["predictors"][0]["graph"]["modelUri"] = demo_models["iris-sklearn"]  # the session's demo
    assert httpx.post(f"{gateway}{API}/namespaces/seldon/seldondeployments", json=spec).status_code == 401
    api_headers = bearer_headers(gateway)
    with httpx.Client(base_url=gateway, timeout=30, headers=api_headers) as client:
        created = client.post(f"{API}/namespaces/seldon/seldondeployments", json=spec)
        assert created.status_code in (200, 201), created.text
        sdep = wait_available(client, f"{API}/namespaces/seldon/seldondeployments/iris")
        assert sdep["status"]["state"] == "Available", sdep["status"]

        # Seldon protocol on the public URL; the caller's Seldon-Puid comes back, and a new one when none is sent.
        seldon_url = "/seldon/seldon/iris/api/v1.0/predictions"
        payload = {"data": {"ndarray": [SETOSA]}}
        answer = client.post(seldon_url, json=payload, headers={"Seldon-Puid": "e2e-puid-1"})
        assert answer.status_code == 200, answer.text
        assert answer.headers["seldon-puid"] == "e2e-puid-1"
        assert answer.headers["content-type"] == "application/json"
        assert_setosa(answer.json()["data"]["ndarray"][0])
        fresh = client.post(seldon_url, json=payload)
        assert fresh.status_code == 200 and len(fresh.headers["seldon-puid"]) >= 32
        assert httpx.post(f"{gateway}{seldon_url}", json=payload).status_code == 401  # the public entry wants a token
        # The same call on the serving process itself answers the same: the gateway relays, it does not rewrite.
        # (The serving port is internal, not public: it takes no token, as docs/auth.md says.)
        direct = httpx.post(f"{serving}{seldon_url}", json=payload, headers={"Seldon-Puid": "e2e-puid-1"})
        assert direct.json()["data"] == answer.json()["data"]

        # A model error is the data plane's own 4xx, relayed with its reason and the request's Seldon-Puid.
        wrong = client.post(seldon_url, json={"data": {"ndarray": [[1, 2]]}}, headers={"Seldon-Puid": "e2e-bad"})
        assert 400 <= wrong.status_code < 500, wrong.text
        assert wrong.json()["message"] and wrong.headers["seldon-puid"] == "e2e-bad"

        # The API's own `predict` reaches the same serving process.
        base = f"{API}/namespaces/seldon/seldondeployments/iris"
        via_api = client.post(f"{base}/predict", json=payload, headers={"Seldon-Puid": "e2e-api"})
        assert via_api.status_code == 200 and via_api.headers["seldon-puid"] == "e2e-api"
        assert via_api.json()["data"] == answer.json()["data"]

        # The command predictcurl prints targets the gateway's public URL, and works as printed.
        curl = client.put(f"{base}/predictcurl", json=payload)
        assert curl.status_code == 200, curl.text
        argv = shlex.split(curl.json())
        assert argv[4] == f"{gateway}{seldon_url}"
        assert "Authorization: Bearer $TOKEN" in argv
        # As a person runs it: in a shell, with TOKEN set to their access token.
        token = api_headers["Authorization"].removeprefix("Bearer ")
        command = f"{curl.json()} -H 'Seldon-Puid: e2e-curl' -i"
        shell_env = {**os.environ, "TOKEN": token}
        ran = subprocess.run(["sh", "-c", command], env=shell_env, capture_output=True, text=True, timeout=60)
        head, _, body = ran.stdout.replace("\r\n", "\n").partition("\n\n")
        assert head.startswith("HTTP/1.1 200"), ran.stdout
        assert "seldon-puid: e2e-curl" in head.lower()
        assert_setosa(json.loads(body)["data"]["ndarray"][0])

        # A load test from the gateway through its relay to the serving process, and the process's usage.
        started = client.post(f"{base}/loadtestjobs", json={"connectionsNumber": 2, "requestsNumber": 20,
                                                            "payload": payload})  # fmt: skip
        assert started.status_code == 201, started.text

        def job() -> dict[str, Any]:
            jobs: list[dict[str, Any]] = client.get(f"{base}/loadtestjobs").json()["jobs"]
            return jobs[0]

        deadline = time.monotonic() + 60
        while job()["status"] in ("Pending", "Running") and time.monotonic() < deadline:
            time.sleep(0.5)
        result = job()["result"]
        assert job()["status"] == "Succeeded" and result["statusCodes"] == {"200": 20}, job()
        assert result["endpoints"]["default"]["requests"] == 20  # the relay passes on which predictor answered
        usage = client.get(f"{base}/usage", params={"step": "10s"}).json()
        assert usage["series"][0]["points"][-1]["memoryBytes"] > 0, usage

    # V2 with the official Triton client against the gateway's public URL (base path = the deployment).
    host = gateway.removeprefix("http://")
    v2 = triton.InferenceServerClient(url=f"{host}/seldon/seldon/iris")
    try:
        assert v2.is_model_ready("classifier", headers=api_headers)
        tensor = triton.InferInput("input-0", [1, 4], "FP64")
        tensor.set_data_from_numpy(np.array([SETOSA], dtype=np.float64), binary_data=False)
        wanted = [triton.InferRequestedOutput("predict_proba", binary_data=False)]
        result = v2.infer("classifier", [tensor], outputs=wanted, headers={"Seldon-Puid": "e2e-v2", **api_headers})
        assert_setosa(result.as_numpy("predict_proba")[0].tolist())
        assert result.get_response()["model_name"]
    finally:
        v2.close()
    raw = httpx.post(
        f"{gateway}/seldon/seldon/iris/v2/models/classifier/infer",
        json={"inputs": [{"name": "input-0", "shape": [1, 4], "datatype": "FP64", "data": SETOSA}]},
        headers={"Seldon-Puid": "e2e-v2-raw", **api_headers},
    )
    assert raw.status_code == 200 and raw.headers["seldon-puid"] == "e2e-v2-raw"
