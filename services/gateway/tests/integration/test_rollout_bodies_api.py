"""The canary and shadow bodies people send: the short shape, a complete predictor, a wrapped one; bad ones get a
422 naming the field and showing the accepted shapes."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import API, Gateway, load

pytestmark = pytest.mark.integration

SDEP = f"{API}/namespaces/seldon/seldondeployments/iris"
ISVC = f"{API}/namespaces/seldon/inferenceservices/iris-kserve"
XGB = "s3://models/iris-xgboost"


@pytest.fixture
async def iris(gateway: Gateway) -> Gateway:
    created = await gateway.client.post(f"{API}/namespaces/seldon/seldondeployments", json=load("iris-sklearn.yaml"))
    assert created.status_code == 201, created.text
    return gateway


@pytest.fixture
async def iris_kserve(gateway: Gateway) -> Gateway:
    created = await gateway.client.post(f"{API}/namespaces/seldon/inferenceservices", json=load("iris-isvc.yaml"))
    assert created.status_code == 201, created.text
    return gateway


def _by_name(obj: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in obj["spec"]["predictors"]}


async def test_short_canary_shape_with_name_and_replicas(iris: Gateway) -> None:
    body = {"modelUri": XGB, "implementation": "XGBOOST_SERVER", "traffic": 25, "name": "xgb", "replicas": 2}
    added = await iris.client.post(f"{SDEP}/canary", json=body)
    assert added.status_code == 200, added.text
    predictors = _by_name(added.json())
    assert predictors["default"]["traffic"] == 75
    assert predictors["xgb"]["traffic"] == 25 and predictors["xgb"]["replicas"] == 2
    assert predictors["xgb"]["graph"]["implementation"] == "XGBOOST_SERVER"
    assert predictors["xgb"]["graph"]["modelUri"] == XGB


async def test_a_complete_seldon_predictor_is_a_canary_body(iris: Gateway) -> None:
    predictor = {
        "name": "challenger",
        "traffic": 30,
        "replicas": 1,
        "graph": {"name": "xgb", "implementation": "XGBOOST_SERVER", "modelUri": XGB, "children": []},
    }
    added = await iris.client.post(f"{SDEP}/canary", json={**predictor, "comment": "full predictor"})
    assert added.status_code == 200, added.text
    predictors = _by_name(added.json())
    assert predictors["challenger"] == predictor
    assert predictors["default"]["traffic"] == 70


async def test_a_wrapped_predictor_is_a_canary_body(iris: Gateway) -> None:
    graph = {"name": "xgb", "implementation": "XGBOOST_SERVER", "modelUri": XGB}
    added = await iris.client.post(f"{SDEP}/canary", json={"predictor": {"graph": graph}, "traffic": 40})
    assert added.status_code == 200, added.text
    assert _by_name(added.json())["canary"]["traffic"] == 40


async def test_a_complete_predictor_is_a_shadow_body(iris: Gateway) -> None:
    predictor = {"name": "mirror", "graph": {"name": "xgb", "implementation": "XGBOOST_SERVER", "modelUri": XGB}}
    added = await iris.client.post(f"{SDEP}/shadow", json=predictor)
    assert added.status_code == 200, added.text
    assert _by_name(added.json())["mirror"] == {**predictor, "shadow": True}


@pytest.mark.parametrize(
    ("path", "body", "field", "words"),
    [
        ("canary", {"modelUri": XGB, "implementation": "SKLEARN_SERVR"}, "implementation", ["SKLEARN_SERVER"]),
        ("canary", {"modelUri": "ftp://x/y"}, "modelUri", ["unsupported scheme ftp://"]),
        ("canary", {"modelUri": XGB, "traffic": 150}, "traffic", ["less than or equal to 100"]),
        ("canary", {"modelUri": XGB, "traffic": "ten"}, "traffic", ["integer"]),
        ("canary", {"modelUri": XGB, "weight": 10}, "weight", ["unknown field"]),
        ("canary", {"uri": XGB}, "body", ["neither a modelUri nor a predictor"]),
        ("canary", {"implementation": "XGBOOST_SERVER"}, "modelUri", ["required"]),
        ("canary", {"predictor": {"model": {"storageUri": XGB}}}, "predictor", ["not a SeldonDeployment predictor"]),
        ("shadow", {"modelUri": XGB, "traffic": 10}, "traffic", ["copy of every request"]),
    ],
)
async def test_bad_seldon_bodies_name_the_field_and_show_the_shapes(
    iris: Gateway, path: str, body: dict[str, Any], field: str, words: list[str]
) -> None:
    answer = await iris.client.post(f"{SDEP}/{path}", json=body)
    assert answer.status_code == 422, answer.text
    error = answer.json()
    assert error["reason"] == "invalid_rollout"
    assert error["details"][0]["path"] == field
    for word in words:
        assert word in error["details"][0]["message"], error
    assert '{"modelUri": ' in error["message"] and '"graph": {' in error["message"]  # the accepted shapes
    assert len((await iris.client.get(SDEP)).json()["spec"]["predictors"]) == 1  # unchanged


async def test_inference_service_canary_short_shape_and_kserve_predictor(iris_kserve: Gateway) -> None:
    short = await iris_kserve.client.post(f"{ISVC}/canary", json={"modelUri": XGB, "implementation": "xgboost",
                                                                  "traffic": 20, "replicas": 2})  # fmt: skip
    assert short.status_code == 200, short.text
    predictor = short.json()["spec"]["predictor"]
    assert predictor["model"] == {"modelFormat": {"name": "xgboost"}, "storageUri": XGB}
    assert (predictor["canaryTrafficPercent"], predictor["minReplicas"]) == (20, 2)
    assert (await iris_kserve.client.delete(f"{ISVC}/canary")).status_code == 200

    kserve = {"model": {"modelFormat": {"name": "xgboost"}, "storageUri": XGB}, "canaryTrafficPercent": 35}
    full = await iris_kserve.client.post(f"{ISVC}/canary", json=kserve)
    assert full.status_code == 200, full.text
    assert full.json()["spec"]["predictor"] == kserve


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"modelUri": XGB, "implementation": "onnx"}, "implementation", ["sklearn, xgboost"]),
        ({"modelUri": XGB, "name": "canary"}, "name", ["no name"]),
        ({"graph": {"name": "x", "modelUri": XGB}}, "body", ["neither a modelUri nor a predictor"]),
    ],
)
async def test_bad_inference_service_canary_bodies_show_the_kserve_shapes(
    iris_kserve: Gateway, body: dict[str, Any], field: str, words: list[str]
) -> None:
    answer = await iris_kserve.client.post(f"{ISVC}/canary", json=body)
    assert answer.status_code == 422, answer.text
    error = answer.json()
    assert error["details"][0]["path"] == field
    for word in words:
        assert word in error["details"][0]["message"], error
    assert '"canaryTrafficPercent": 10' in error["message"]


async def test_a_kserve_predictor_with_a_format_warden_does_not_serve_is_refused_like_a_put(
    iris_kserve: Gateway,
) -> None:
    body = {"model": {"modelFormat": {"name": "onnx"}, "storageUri": XGB}}
    answer = await iris_kserve.client.post(f"{ISVC}/canary", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["details"][0]["path"] == "spec.predictor.model.modelFormat.name"
