"""Through a real `warden up` and real MLServer processes, the README's path with the mistakes people make:
a misspelt server (422), an xgboost model under SKLEARN_SERVER (Failed, saying so), the fix, a canary in the short
shape, a shadow as a complete predictor, and a V2 call naming a model the deployment does not serve (404)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from warden_common.testing.auth import bearer_headers
from warden_common.testing.processes import running_warden_up
from warden_serving.demo.build import build_demo_models

pytestmark = pytest.mark.integration

READY_WITHIN_S = 60
SETTLE_WITHIN_S = 180


def _deployment(uri: str, implementation: str) -> dict[str, Any]:
    graph = {"name": "classifier", "implementation": implementation, "modelUri": uri}
    return {
        "apiVersion": "machinelearning.seldon.io/v1",
        "kind": "SeldonDeployment",
        "metadata": {"name": "iris", "namespace": "seldon"},
        "spec": {"predictors": [{"name": "default", "replicas": 1, "traffic": 100, "graph": graph}]},
    }


def _wait_state(client: httpx.Client, url: str, wanted: str, also: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    deadline = time.monotonic() + SETTLE_WITHIN_S
    obj: dict[str, Any] = {}
    while time.monotonic() < deadline:
        obj = client.get(url).json()
        if obj.get("status", {}).get("state") == wanted and also(obj):
            return obj
        time.sleep(0.5)
    raise AssertionError(f"{url} never reached {wanted}; last status: {obj.get('status')}")


def _predictors(obj: dict[str, Any]) -> dict[str, list[str]]:
    """Predictor name -> model URIs, as the runtime last reported them."""
    reported = obj["status"].get("deploymentStatus") or {}
    return {name: entry["modelUris"] for name, entry in reported.items()}


def test_mistakes_are_refused_or_explained_end_to_end(
    warden_home: Path, mlserver_bin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    models = build_demo_models(warden_home, mlserver_bin)
    monkeypatch.setenv("WARDEN_SERVING_MLSERVER_BIN", mlserver_bin)
    with running_warden_up(warden_home, ready_within_s=READY_WITHIN_S) as base:
        api = f"{base}/seldon-deploy/api/v1alpha1/namespaces/seldon/seldondeployments"
        assert httpx.post(api, json=_deployment(models["iris-sklearn"], "SKLEARN_SERVER")).status_code == 401
        with httpx.Client(timeout=60, headers=bearer_headers(base)) as client:
            _walk_the_mistakes(client, base, api, models)


def _walk_the_mistakes(client: httpx.Client, base: str, api: str, models: dict[str, str]) -> None:
    """The README's path with its mistakes, as a signed-in user (auth is on)."""
    iris = f"{api}/iris"

    misspelt = client.post(api, json=_deployment(models["iris-sklearn"], "SKLEARN_SERVR"))
    assert misspelt.status_code == 422, misspelt.text
    assert misspelt.json()["details"][0]["path"] == "spec.predictors[0].graph.implementation"

    xgboost = models["iris-xgboost"]
    assert client.post(api, json=_deployment(xgboost, "SKLEARN_SERVER")).status_code == 201
    failed = _wait_state(client, iris, "Failed", lambda _: True)
    description = failed["status"]["description"]
    assert f"SKLEARN_SERVER expects model.joblib, model.pkl or model.pickle in {xgboost}; found" in description
    assert "(an XGBOOST_SERVER model?)" in description

    fixed = _deployment(models["iris-sklearn"], "SKLEARN_SERVER")
    assert client.put(iris, json=fixed).status_code == 200
    sklearn = [models["iris-sklearn"]]
    _wait_state(client, iris, "Available", lambda o: _predictors(o) == {"default": sklearn})

    canary = client.post(f"{iris}/canary", json={"modelUri": xgboost, "implementation": "XGBOOST_SERVER"})
    assert canary.status_code == 200, canary.text
    shadow_graph = {"name": "shadow-model", "implementation": "SKLEARN_SERVER", "modelUri": models["iris-sklearn"]}
    shadow = client.post(f"{iris}/shadow", json={"name": "mirror", "graph": shadow_graph})
    assert shadow.status_code == 200, shadow.text
    names = [p["name"] for p in shadow.json()["spec"]["predictors"]]
    assert names == ["default", "canary", "mirror"]
    _wait_state(client, iris, "Available", lambda o: set(_predictors(o)) == {"default", "canary", "mirror"})

    data_plane = f"{base}/seldon/seldon/iris"
    v2 = {"inputs": [{"name": "input-0", "shape": [1, 4], "datatype": "FP64", "data": [5.1, 3.5, 1.4, 0.2]}]}
    unknown = client.post(f"{data_plane}/v2/models/sklearn-iris/infer", json=v2)
    assert unknown.status_code == 404, unknown.text
    assert "'classifier'" in unknown.json()["message"] and "'iris'" in unknown.json()["message"]
    served = client.post(f"{data_plane}/v2/models/classifier/infer", json=v2)
    assert served.status_code == 200, served.text
    assert httpx.post(f"{data_plane}/v2/models/classifier/infer", json=v2).status_code == 401  # not signed in
