"""Explanations end to end (issue 11): `warden up`, the demo models served by MLServer, the public API only.

The income explainer comes from the deployment spec (the seed's predictor `explainer` section) and names its
features from the catalog's prediction schema; a logged request is explained by its id; explanation traffic
never reaches the request log. Text and digits explainers are added through the API.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
import time
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from warden_common.testing.metrics import requests_counted
from warden_common.testing.waiting import wait_until

pytestmark = pytest.mark.integration

API = "/seldon-deploy/api/v1alpha1"
DEPLOYMENTS = f"{API}/namespaces/seldon/seldondeployments"
INCOME_ROW = [53, 4, 0, 2, 8, 4, 2, 0, 0, 0, 60, 9]
SMALL_ANCHORS = {"coverage_samples": "500", "batch_size": "50"}
AVAILABLE_WITHIN_S = 120


SDK_EXPLAIN = textwrap.dedent(
    """
    import json, sys
    from seldon_deploy_sdk import ApiClient, Configuration, ExplainApi

    base, token = sys.argv[1], sys.argv[2]
    config = Configuration()
    config.host = base + "/seldon-deploy/api/v1alpha1"
    config.id_token = token or "e2e-token"  # any token while auth is off; the real one once it is on
    review = {"data": {"names": ["Text review"], "ndarray": ["this film has bad actors"]}}
    print(json.dumps(ExplainApi(ApiClient(config)).explain_seldon_deployment("seldon", "movies", explaindata=review)))
    """
)


def manifest(name: str, model_uri: str, explainer: dict[str, Any] | None = None) -> dict[str, Any]:
    predictor: dict[str, Any] = {
        "name": "default",
        "replicas": 1,
        "traffic": 100,
        "graph": {"name": "model", "implementation": "SKLEARN_SERVER", "modelUri": model_uri},
    }
    if explainer is not None:
        predictor["explainer"] = explainer
    return {"apiVersion": "machinelearning.seldon.io/v1", "kind": "SeldonDeployment",
            "metadata": {"name": name, "namespace": "seldon"}, "spec": {"predictors": [predictor]}}  # fmt: skip


def create(client: httpx.Client, name: str, model_uri: str, explainer: dict[str, Any] | None = None) -> None:
    created = client.post(DEPLOYMENTS, json=manifest(name, model_uri, explainer))
    assert created.status_code == 201, created.text


def wait_available(client: httpx.Client, name: str) -> None:
    wait_until(f"{name} Available",
               lambda: client.get(f"{DEPLOYMENTS}/{name}").json()["status"].get("state") == "Available",
               AVAILABLE_WITHIN_S)  # fmt: skip


def predict(client: httpx.Client, name: str, payload: dict[str, Any]) -> tuple[str, Any]:
    answer = client.post(f"/seldon/seldon/{name}/api/v1.0/predictions", json=payload)
    assert answer.status_code == 200, answer.text
    return answer.headers["Seldon-Puid"], answer.json()["data"]["ndarray"]


def logged(client: httpx.Client, name: str) -> set[str]:
    page = client.get(f"{DEPLOYMENTS}/{name}/requests", params={"pageSize": 100})
    assert page.status_code == 200, page.text
    return {hit["requestId"] for hit in page.json()["requests"]}


@pytest.fixture(scope="module")
def warden(module_warden: str) -> str:
    """One `warden up` for the module's tests: each deploys under names of its own (two model servers at most)."""
    return module_warden


def explained(client: httpx.Client, answer: httpx.Response, within_s: float = 60) -> dict[str, Any]:
    """The explanation an `explain` call answered with, or, when it was still running (202), once it is done."""
    if answer.status_code == 202:
        poll = urljoin(str(answer.url), answer.headers["Location"])
        done = wait_until("the explanation", lambda: client.get(poll).json()["status"] != "running", within_s)
        assert done
        stored = client.get(poll).json()
        assert stored["status"] == "succeeded", stored
        body: dict[str, Any] = stored["explanation"]
        return body
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return body


def test_income_explained_from_its_deployment_spec_and_by_logged_request(
    demo_models: dict[str, str], warden: str, api_headers: dict[str, str]
) -> None:
    uri = demo_models["income-sklearn"]
    schema = json.loads((Path(urlsplit(uri).path) / "prediction-schema.json").read_text())
    with httpx.Client(base_url=warden, timeout=60, headers=api_headers) as client:
        registered = client.post(f"{API}/model/metadata", json={
            "URI": uri, "name": "income", "version": "1", "artifactType": "SKLEARN", "taskType": "classification",
            "project": "default", "predictionSchema": schema})  # fmt: skip
        assert registered.status_code == 200, registered.text
        explainer = {"type": "AnchorTabular", "referenceUri": demo_models["income-reference"], "config": SMALL_ANCHORS}
        create(client, "income", uri, explainer)
        wait_available(client, "income")
        wait_until("the explainer of the spec", lambda: client.get(f"{DEPLOYMENTS}/income/explainer").is_success, 30)

        payload = {"data": {"names": [f["name"] for f in schema["requests"]], "ndarray": [INCOME_ROW]}}
        puid, _ = predict(client, "income", payload)
        wait_until("the prediction logged", lambda: logged(client, "income") == {puid}, 30)
        answer = client.post(f"{DEPLOYMENTS}/income/explain", params={"requestId": puid, "instance": 0})
        anchor = explained(client, answer)["data"]
        names = [f["name"] for f in schema["requests"]]
        assert anchor["anchor"] and all(any(rule.startswith(n) for n in names) for rule in anchor["anchor"])
        assert anchor["precision"] >= 0.95 and 0 < anchor["coverage"] <= 1
        assert anchor["raw"]["examples"][-1]["covered_true"] and "covered_false" in anchor["raw"]["examples"][-1]
        shown_again = client.get(f"{DEPLOYMENTS}/income/explanations", params={"requestId": puid}).json()
        assert [e["explanation"]["data"]["anchor"] for e in shown_again["explanations"]] == [anchor["anchor"]]
        [stored] = shown_again["explanations"]
        by_id = client.get(f"{DEPLOYMENTS}/income/explanations/{stored['id']}")
        assert by_id.status_code == 200 and by_id.json()["requestId"] == puid

        shap = {"type": "KernelShap", "referenceUri": demo_models["income-reference"], "backgroundRows": 50}
        assert client.put(f"{DEPLOYMENTS}/income/explainer", json=shap).status_code == 200
        puid2, [probabilities] = predict(client, "income", payload)
        data = explained(client, client.post(f"{DEPLOYMENTS}/income/explain", json=payload))["data"]
        for label, baseline in enumerate(data["expected_value"]):
            assert abs(sum(data["shap_values"][label][0]) - (probabilities[label] - baseline)) < 1e-6

        time.sleep(2)  # what the explanations sent would be logged by now
        assert logged(client, "income") == {puid, puid2}
        assert client.delete(f"{DEPLOYMENTS}/income").is_success  # stops its model server (shared warden up)


def test_an_inference_service_explainer_from_spec_explainer_alibi(
    demo_models: dict[str, str], warden: str, api_headers: dict[str, str]
) -> None:
    """KServe's way: `spec.explainer.alibi` of an InferenceService, checked at the door, served on its routes."""
    isvcs = f"{API}/namespaces/seldon/inferenceservices"
    alibi = {"type": "AnchorTabular", "referenceUri": demo_models["income-reference"], "config": SMALL_ANCHORS}
    spec = {"predictor": {"sklearn": {"storageUri": demo_models["income-sklearn"]}}, "explainer": {"alibi": alibi}}
    isvc: dict[str, Any] = {"apiVersion": "serving.kserve.io/v1beta1", "kind": "InferenceService",
                            "metadata": {"name": "census", "namespace": "seldon"}, "spec": spec}  # fmt: skip
    with httpx.Client(base_url=warden, timeout=60, headers=api_headers) as client:
        wrong = {**isvc, "spec": {**spec, "explainer": {"alibi": {**alibi, "type": "Contrastive"}}}}
        refused = client.post(isvcs, json=wrong)
        assert refused.status_code == 422, refused.text
        assert [d["path"] for d in refused.json()["details"]] == ["spec.explainer.alibi.type"]

        created = client.post(isvcs, json=isvc)
        assert created.status_code == 201, created.text
        wait_until("census Available",
                   lambda: client.get(f"{isvcs}/census").json()["status"].get("state") == "Available",
                   AVAILABLE_WITHIN_S)  # fmt: skip
        wait_until("the explainer of the spec", lambda: client.get(f"{isvcs}/census/explainer").is_success, 30)
        assert client.get(f"{isvcs}/census/explainer").json()["source"] == "deployment"

        predicted = client.post("/seldon/seldon/census/v1/models/census:predict", json={"instances": [INCOME_ROW]})
        assert predicted.status_code == 200, predicted.text
        puid = predicted.headers["Seldon-Puid"]
        wait_until("the prediction logged",
                   lambda: puid in {h["requestId"] for h in client.get(f"{isvcs}/census/requests").json()["requests"]},
                   30)  # fmt: skip
        explain_routes = {  # what the request metrics count an explain call as, at the gateway and behind it
            "gateway": f"{API}/namespaces/{{namespace}}/inferenceservices/{{name}}/explain",
            "detectors": "/api/v1alpha1/namespaces/{namespace}/inferenceservices/{name}/explain",
        }
        counted = {
            service: requests_counted(warden, service, "POST", route) for service, route in explain_routes.items()
        }
        by_request = client.post(f"{isvcs}/census/explain", params={"requestId": puid, "instance": 0})
        anchor = explained(client, by_request)["data"]
        assert anchor["anchor"] and anchor["precision"] >= 0.95
        payload = explained(client, client.post(f"{isvcs}/census/explain", json={"instances": [INCOME_ROW]}))
        assert payload["data"]["anchor"] and payload["data"]["precision"] >= 0.95
        for service, route in explain_routes.items():
            assert requests_counted(warden, service, "POST", route) == counted[service] + 2, service
        stored = client.get(f"{isvcs}/census/explanations", params={"requestId": puid}).json()["explanations"]
        assert [e["explanation"]["data"]["anchor"] for e in stored] == [anchor["anchor"]]

        assert client.delete(f"{isvcs}/census").is_success
        wait_until("the explainer removed with it", lambda: client.get(f"{isvcs}/census/explainer").status_code == 404,
                   30)  # fmt: skip


def test_text_and_digit_anchors_and_a_failing_model(
    demo_models: dict[str, str], warden: str, api_headers: dict[str, str], sdk_python: Path
) -> None:
    with httpx.Client(base_url=warden, timeout=60, headers=api_headers) as client:
        create(client, "movies", demo_models["text-sentiment"])
        create(client, "digits", demo_models["digits-sklearn"])  # both start at once
        wait_available(client, "movies")
        wait_available(client, "digits")

        assert client.put(f"{DEPLOYMENTS}/movies/explainer", json={"type": "AnchorText"}).status_code == 200
        review = {"data": {"names": ["Text review"], "ndarray": ["this film has bad actors"]}}
        puid, [[negative, _positive]] = predict(client, "movies", review)
        assert negative > 0.5
        wait_until("the review logged", lambda: logged(client, "movies") == {puid}, 30)
        text = explained(client, client.post(f"{DEPLOYMENTS}/movies/explain", json=review))
        assert "bad" in text["data"]["anchor"]
        token = api_headers.get("Authorization", "").removeprefix("Bearer ")
        sdk = subprocess.run([str(sdk_python), "-c", SDK_EXPLAIN, warden, token],
                             capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
        assert sdk.returncode == 0, sdk.stderr[-2000:]
        assert "bad" in json.loads(sdk.stdout)["data"]["anchor"]  # seldon-deploy-sdk 1.6's explain call, unchanged

        images = {"type": "AnchorImages", "imageShape": [8, 8, 1], "segmentSize": 2, "config": SMALL_ANCHORS}
        assert client.put(f"{DEPLOYMENTS}/digits/explainer", json=images).status_code == 200
        pixels = _first_digit(demo_models["digits-reference"])
        image = client.post(f"{DEPLOYMENTS}/digits/explain", json={"data": {"ndarray": [pixels]}})
        data = explained(client, image)["data"]
        assert data["raw"]["feature"] and data["precision"] >= 0.95 and len(data["segments"]) == 8

        ghost = client.put(f"{DEPLOYMENTS}/ghost/explainer", json={"type": "AnchorText"})
        assert ghost.status_code == 200
        failed = client.post(f"{DEPLOYMENTS}/ghost/explain", json=review)
        assert failed.status_code == 502 and failed.json()["reason"] == "explanation_model_error", failed.text
        assert logged(client, "movies") == {puid}  # the explanation's model calls were not logged


def _first_digit(reference_uri: str) -> list[float]:
    import numpy as np

    rows = np.load(urlsplit(reference_uri).path)
    return [float(v) for v in rows[0]]
