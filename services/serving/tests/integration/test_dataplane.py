"""Shadows, crashes, bad payloads, the V2 and TensorFlow protocols, status events — against real MLServer processes."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tritonclient.http as triton

from warden_common.codec import Event
from warden_common.events import DEPLOYMENT_STATUS_CHANGED, SELDON_REQUEST, SELDON_RESPONSE
from warden_common.topics import DEPLOYMENTS, INFERENCE

from .harness import Serving, json_object, predictor, seldon_deployment
from .test_canary import IRIS_REQUEST, served_by

pytestmark = pytest.mark.integration


async def test_shadow_sees_every_request_and_clients_only_the_default(
    serving: Serving, demo_models: dict[str, str]
) -> None:
    events = await serving.collect(INFERENCE, "test-shadow")
    spec = seldon_deployment(serving.namespace, "shadowed", [
        predictor("default", "SKLEARN_SERVER", demo_models["iris-sklearn"]),
        predictor("shadow", "XGBOOST_SERVER", demo_models["iris-xgboost"], shadow=True),
    ])  # fmt: skip
    await serving.publish_spec("shadowed", spec)
    await serving.wait_status("shadowed", "Available")
    puids = []
    for _ in range(20):
        response = await serving.http.post(serving.data_url("shadowed", "/api/v1.0/predictions"), json=IRIS_REQUEST)
        assert response.status_code == 200, response.text
        assert served_by(response.json()) == "SKLEARN_SERVER"
        puids.append(response.headers["Seldon-Puid"])

    def complete(evs: list[Event]) -> bool:
        pairs = {(e.get_extension("requestid"), e.get_extension("endpoint"), e.get_type()) for e in evs}
        return all(
            (p, ep, t) in pairs
            for p in puids
            for ep in ("default", "shadow")
            for t in (SELDON_REQUEST, SELDON_RESPONSE)
        )

    await events.wait_for(complete)
    shadow_responses = events.where(
        lambda e: e.get_extension("endpoint") == "shadow" and e.get_type() == SELDON_RESPONSE
    )
    assert {next(iter(json_object(e)["meta"]["requestPath"].values())) for e in shadow_responses} == {"XGBOOST_SERVER"}


async def test_killed_process_is_restarted_and_reported(serving: Serving, demo_models: dict[str, str]) -> None:
    statuses = await serving.collect(DEPLOYMENTS, "test-kill")
    await serving.publish_spec("crashy", seldon_deployment(serving.namespace, "crashy", [
        predictor("default", "SKLEARN_SERVER", demo_models["iris-sklearn"]),
    ]))  # fmt: skip
    await serving.wait_status("crashy", "Available")
    replica = (await serving.resources("crashy"))["predictors"][0]["replicas"][0]
    assert replica["state"] == "Ready" and replica["port"] and replica["logs"]
    os.kill(replica["pid"], signal.SIGKILL)

    bad: list[str] = []
    recovered = False
    async with asyncio.timeout(120):
        while not recovered:
            response = await serving.http.post(serving.data_url("crashy", "/api/v1.0/predictions"), json=IRIS_REQUEST)
            if response.status_code == 200:
                replica_now = (await serving.resources("crashy"))["predictors"][0]["replicas"][0]
                recovered = replica_now["pid"] != replica["pid"]
            elif response.status_code >= 500 and not response.json().get("message"):
                bad.append(response.text)
            else:
                assert response.status_code == 503, response.text
                assert "no ready model server" in response.json()["message"]
            await asyncio.sleep(0.05)
    assert bad == []
    after = (await serving.resources("crashy"))["predictors"][0]["replicas"][0]
    assert after["restarts"] >= 1 and after["state"] == "Ready"

    def saw_outage(evs: list[Event]) -> bool:
        seq = [json_object(e)["status"] for e in evs if e.get_type() == DEPLOYMENT_STATUS_CHANGED]
        return "Available" in seq and "Creating" in seq[seq.index("Available") :] and seq[-1] == "Available"

    await statuses.wait_for(saw_outage)


async def test_bad_model_fails_with_reason_from_process_output(serving: Serving, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "model.joblib").write_bytes(b"not a pickle")
    statuses = await serving.collect(DEPLOYMENTS, "test-broken")
    await serving.publish_spec("broken", seldon_deployment(serving.namespace, "broken", [
        predictor("default", "SKLEARN_SERVER", str(broken)),
    ]))  # fmt: skip
    failed = await serving.wait_status("broken", "Failed", within_s=240)
    assert "exit code" in failed["reason"]
    await statuses.wait_for(lambda evs: any(json_object(e)["status"] == "Failed" for e in evs))
    response = await serving.http.post(serving.data_url("broken", "/api/v1.0/predictions"), json=IRIS_REQUEST)
    assert response.status_code == 503 and response.json()["message"]


BAD_PAYLOADS = [
    ({"data": {"ndarray": [[1.0, 2.0, 3.0]]}}, 422, "model"),  # wrong shape: 3 features for a 4-feature model
    ({"data": {"ndarray": [[1.0, 2.0], [3.0]]}}, 400, "ragged"),
    ({"data": {"ndarray": [["a", 1.0, 2.0, 3.0]]}}, 400, "mixes"),
    ({"data": {"tensor": {"shape": [1, 4], "values": [1.0, 2.0]}}}, 400, "shape"),
    ({"nonsense": 1}, 400, "exactly one of"),
    ([1, 2, 3], 400, "JSON object"),
]


async def test_bad_payloads_get_4xx_with_reason(serving: Serving, demo_models: dict[str, str]) -> None:
    await serving.publish_spec("iris", seldon_deployment(serving.namespace, "iris", [
        predictor("default", "SKLEARN_SERVER", demo_models["iris-sklearn"]),
    ]))  # fmt: skip
    await serving.wait_status("iris", "Available")
    url = serving.data_url("iris", "/api/v1.0/predictions")
    for payload, status, words in BAD_PAYLOADS:
        response = await serving.http.post(url, json=payload)
        assert response.status_code == status, (payload, response.text)
        assert words in response.json()["message"], response.text
        assert response.headers["Seldon-Puid"]
    invalid = await serving.http.post(url, content=b"{not json", headers={"content-type": "application/json"})
    assert invalid.status_code == 400 and "not valid JSON" in invalid.json()["message"]
    huge = b'{"data": {"ndarray": [' + b"1.0," * (3 * 1024 * 1024) + b"1.0]}}"
    too_big = await serving.http.post(url, content=huge, headers={"content-type": "application/json"})
    assert too_big.status_code == 413 and "limit" in too_big.json()["message"]
    v2_bad = await serving.http.post(serving.data_url("iris", "/v2/models/classifier/infer"),
                                     json={"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP99",
                                                         "data": [1, 2, 3, 4]}]})  # fmt: skip
    assert v2_bad.status_code == 400 and "datatype" in v2_bad.json()["message"]
    unknown = await serving.http.post(serving.data_url("nope", "/api/v1.0/predictions"), json=IRIS_REQUEST)
    assert unknown.status_code == 404


async def test_v2_through_tritonclient_and_tensorflow_protocol(serving: Serving, demo_models: dict[str, str]) -> None:
    await serving.publish_spec("iris2", seldon_deployment(serving.namespace, "iris2", [
        predictor("default", "SKLEARN_SERVER", demo_models["iris-sklearn"]),
    ]))  # fmt: skip
    await serving.wait_status("iris2", "Available")

    url = f"{serving.base_url.removeprefix('http://')}/seldon/{serving.namespace}/iris2"  # a base path prefix
    ready, proba = await asyncio.to_thread(_triton_call, url)
    assert ready
    assert proba.shape == (2, 3) and np.allclose(proba.sum(axis=1), 1.0)
    assert proba[1].argmax() == 0  # a setosa

    # Unlogged V2 calls are relayed byte for byte when the path names the model MLServer serves.
    v2_body = {"inputs": [{"name": "input-0", "shape": [1, 4], "datatype": "FP64", "data": [5.1, 3.5, 1.4, 0.2]}]}
    skip = {"Seldon-Skip-Logging": "true"}
    relayed = await serving.http.post(serving.data_url("iris2", "/v2/models/classifier/infer"), json=v2_body,
                                      headers=skip)  # fmt: skip
    assert relayed.status_code == 200, relayed.text
    assert relayed.json()["model_name"] == "classifier" and relayed.json()["outputs"][0]["data"] == [0]
    renamed = await serving.http.post(serving.data_url("iris2", "/v2/models/iris2/infer"), json=v2_body, headers=skip)
    assert renamed.json()["model_name"] == "iris2" and renamed.json()["outputs"] == relayed.json()["outputs"]

    tf = await serving.http.post(serving.data_url("iris2", "/v1/models/classifier:predict"),
                                 json={"instances": [[5.1, 3.5, 1.4, 0.2]]})  # fmt: skip
    assert tf.status_code == 200, tf.text
    assert tf.json() == {"predictions": [0]}


def _triton_call(url: str) -> tuple[bool, np.ndarray[Any, Any]]:
    client = triton.InferenceServerClient(url)
    try:
        ready = client.is_model_ready("classifier")
        tensor = triton.InferInput("input-0", [2, 4], "FP64")
        tensor.set_data_from_numpy(np.array([[6.8, 2.8, 4.8, 1.4], [5.1, 3.5, 1.4, 0.2]]), binary_data=False)
        wanted = [triton.InferRequestedOutput("predict_proba", binary_data=False)]
        result = client.infer("classifier", [tensor], outputs=wanted)
        return ready, result.as_numpy("predict_proba")
    finally:
        client.close()
