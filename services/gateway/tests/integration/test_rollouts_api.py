"""Rollouts: the seed's canary demo (docs 5.1.1) and shadows as API calls, each a validated, published update."""

from __future__ import annotations

from typing import Any

import pytest

from warden_common.events import DEPLOYMENT_UPDATED

from .conftest import API, Gateway, load

pytestmark = pytest.mark.integration

BASE = f"{API}/namespaces/seldon/seldondeployments/iris"
ISVC = f"{API}/namespaces/seldon/inferenceservices/iris-kserve"
XGB_IRIS = "gs://seldon-models/xgboost/iris"


def _summaries(event: dict[str, Any]) -> dict[str, tuple[list[str], int | None, bool]]:
    return {p["name"]: (p["model_uris"], p["traffic"], p["shadow"]) for p in event["predictors"]}


async def test_canary_demo_add_then_promote(gateway: Gateway) -> None:
    assert (
        await gateway.client.post(f"{API}/namespaces/seldon/seldondeployments", json=load("iris-sklearn.yaml"))
    ).status_code == 201
    added = await gateway.client.post(
        f"{BASE}/canary",
        json={"modelUri": XGB_IRIS, "implementation": "XGBOOST_SERVER", "traffic": 10, "comment": "try xgboost"},
        headers={"X-Warden-User": "hari"},
    )
    assert added.status_code == 200, added.text
    default, canary = added.json()["spec"]["predictors"]
    assert (default["name"], default["traffic"]) == ("default", 90)
    assert default["graph"]["futureField"] == {"answer": 42}  # the rest of the default is untouched
    assert (canary["name"], canary["traffic"]) == ("canary", 10)
    assert canary["graph"] == {
        "name": "iris-canary",
        "implementation": "XGBOOST_SERVER",
        "modelUri": XGB_IRIS,
        "children": [],
    }
    assert added.json()["metadata"]["generation"] == 2

    [event] = await gateway.wait_events(DEPLOYMENT_UPDATED, "seldon/iris", 1)
    assert (event["actor"], event["comment"]) == ("hari", "try xgboost")
    assert _summaries(event) == {
        "default": (["gs://seldon-models/sklearn/iris"], 90, False),
        "canary": ([XGB_IRIS], 10, False),
    }

    second = await gateway.client.post(f"{BASE}/canary", json={"modelUri": XGB_IRIS, "traffic": 5})
    assert second.status_code == 409 and "already running" in second.json()["message"]

    promoted = await gateway.client.post(f"{BASE}/canary/promote", json={"comment": "xgboost wins"})
    assert promoted.status_code == 200, promoted.text
    [only] = promoted.json()["spec"]["predictors"]
    assert (only["name"], only["traffic"], only["graph"]["modelUri"]) == ("default", 100, XGB_IRIS)
    events = await gateway.wait_events(DEPLOYMENT_UPDATED, "seldon/iris", 2)
    assert events[1]["comment"] == "xgboost wins" and events[1]["actor"] == "anonymous"
    assert _summaries(events[1]) == {"default": ([XGB_IRIS], 100, False)}

    nothing = await gateway.client.post(f"{BASE}/canary/promote")
    assert nothing.status_code == 409 and "no canary" in nothing.json()["message"]


async def test_remove_canary_returns_all_traffic_to_the_default(gateway: Gateway) -> None:
    await gateway.client.post(f"{API}/namespaces/seldon/seldondeployments", json=load("iris-sklearn.yaml"))
    await gateway.client.post(f"{BASE}/canary", json={"modelUri": XGB_IRIS, "implementation": "XGBOOST_SERVER"})
    removed = await gateway.client.delete(f"{BASE}/canary", params={"message": "not better"})
    assert removed.status_code == 200, removed.text
    [only] = removed.json()["spec"]["predictors"]
    assert (only["name"], only["traffic"], only["graph"]["modelUri"]) == (
        "default",
        100,
        "gs://seldon-models/sklearn/iris",
    )
    events = await gateway.wait_events(DEPLOYMENT_UPDATED, "seldon/iris", 2)
    assert events[1]["comment"] == "not better"


async def test_shadow_add_promote_and_remove(gateway: Gateway) -> None:
    await gateway.client.post(f"{API}/namespaces/seldon/seldondeployments", json=load("iris-sklearn.yaml"))
    added = await gateway.client.post(f"{BASE}/shadow", json={"modelUri": XGB_IRIS, "implementation": "XGBOOST_SERVER"})
    assert added.status_code == 200, added.text
    default, shadow = added.json()["spec"]["predictors"]
    assert default["traffic"] == 100 and shadow["shadow"] is True and "traffic" not in shadow
    [event] = await gateway.wait_events(DEPLOYMENT_UPDATED, "seldon/iris", 1)
    assert _summaries(event)["shadow"] == ([XGB_IRIS], None, True)

    assert (await gateway.client.post(f"{BASE}/shadow", json={"modelUri": XGB_IRIS})).status_code == 409

    promoted = (await gateway.client.post(f"{BASE}/shadow/promote")).json()
    [only] = promoted["spec"]["predictors"]
    assert (only["name"], only["traffic"], only["graph"]["modelUri"]) == ("default", 100, XGB_IRIS)
    assert "shadow" not in only

    await gateway.client.post(f"{BASE}/shadow", json={"modelUri": "gs://seldon-models/sklearn/iris"})
    removed = (await gateway.client.delete(f"{BASE}/shadow")).json()
    assert [p["name"] for p in removed["spec"]["predictors"]] == ["default"]
    assert (await gateway.client.delete(f"{BASE}/shadow")).status_code == 409


async def test_a_rollout_producing_an_invalid_spec_is_refused_like_a_put(gateway: Gateway) -> None:
    await gateway.client.post(f"{API}/namespaces/seldon/seldondeployments", json=load("iris-sklearn.yaml"))
    bad = await gateway.client.post(f"{BASE}/canary", json={"predictor": {"name": "canary", "graph": {"name": "x"}}})
    assert bad.status_code == 422
    assert "spec.predictors[1].graph.modelUri" in [d["path"] for d in bad.json()["details"]]
    assert len((await gateway.client.get(BASE)).json()["spec"]["predictors"]) == 1  # unchanged
    missing = await gateway.client.post(
        f"{API}/namespaces/seldon/seldondeployments/nope/canary", json={"modelUri": "x"}
    )
    assert missing.status_code == 404


async def test_inference_service_canary_follows_kserve(gateway: Gateway) -> None:
    spec = load("iris-isvc.yaml")
    await gateway.client.post(f"{API}/namespaces/seldon/inferenceservices", json=spec)
    original = spec["spec"]["predictor"]

    added = await gateway.client.post(
        f"{ISVC}/canary", json={"modelUri": XGB_IRIS, "implementation": "XGBOOST_SERVER", "traffic": 10}
    )
    assert added.status_code == 200, added.text
    predictor = added.json()["spec"]["predictor"]
    assert predictor["canaryTrafficPercent"] == 10
    assert predictor["model"] == {"modelFormat": {"name": "xgboost"}, "storageUri": XGB_IRIS}
    assert predictor["minReplicas"] == 1 and predictor["wardenHint"] == "keep-me"
    assert added.json()["status"]["warden"]["stablePredictor"] == original
    [event] = await gateway.wait_events(DEPLOYMENT_UPDATED, "seldon/iris-kserve", 1)
    assert _summaries(event) == {
        "default": (["gs://kfserving-examples/models/sklearn/1.0/model"], 90, False),
        "canary": ([XGB_IRIS], 10, False),
    }

    removed = (await gateway.client.delete(f"{ISVC}/canary")).json()
    assert removed["spec"]["predictor"] == original and "warden" not in removed["status"]

    await gateway.client.post(f"{ISVC}/canary", json={"modelUri": XGB_IRIS, "implementation": "xgboost"})
    promoted = (await gateway.client.post(f"{ISVC}/canary/promote")).json()
    assert "canaryTrafficPercent" not in promoted["spec"]["predictor"]
    assert promoted["spec"]["predictor"]["model"]["storageUri"] == XGB_IRIS
    assert "warden" not in promoted["status"]
    events = await gateway.wait_events(DEPLOYMENT_UPDATED, "seldon/iris-kserve", 4)
    assert _summaries(events[3]) == {"default": ([XGB_IRIS], 100, False)}

    no_shadow = await gateway.client.post(f"{ISVC}/shadow", json={"modelUri": XGB_IRIS})
    assert no_shadow.status_code == 422 and "SeldonDeployment" in no_shadow.json()["message"]


async def test_a_kserve_style_put_with_canary_traffic_percent_splits_traffic(gateway: Gateway) -> None:
    created = (
        await gateway.client.post(f"{API}/namespaces/seldon/inferenceservices", json=load("iris-isvc.yaml"))
    ).json()
    created["spec"]["predictor"]["model"]["storageUri"] = "gs://models/v2"
    created["spec"]["predictor"]["canaryTrafficPercent"] = 25
    updated = (await gateway.client.put(ISVC, json=created)).json()
    stable = updated["status"]["warden"]["stablePredictor"]
    assert stable["model"]["storageUri"] == "gs://kfserving-examples/models/sklearn/1.0/model"
    [event] = await gateway.wait_events(DEPLOYMENT_UPDATED, "seldon/iris-kserve", 1)
    assert {p["name"]: p["traffic"] for p in event["predictors"]} == {"default": 75, "canary": 25}
