"""What the runtime refuses with a clear answer: a model that does not fit its server, a V2 call naming a model the
deployment does not serve — against real MLServer processes and the demo models."""

from __future__ import annotations

import pytest

from warden_common.topics import DEPLOYMENTS

from .harness import Serving, json_object, predictor, seldon_deployment
from .test_canary import IRIS_REQUEST

pytestmark = pytest.mark.integration

V2_BODY = {"inputs": [{"name": "input-0", "shape": [1, 4], "datatype": "FP64", "data": [5.1, 3.5, 1.4, 0.2]}]}


async def test_an_xgboost_model_under_sklearn_server_fails_saying_so(
    serving: Serving, demo_models: dict[str, str]
) -> None:
    uri = demo_models["iris-xgboost"]
    statuses = await serving.collect(DEPLOYMENTS, "test-mismatch")
    await serving.publish_spec("mismatch", seldon_deployment(serving.namespace, "mismatch", [
        predictor("default", "SKLEARN_SERVER", uri),
    ]))  # fmt: skip
    failed = await serving.wait_status("mismatch", "Failed")
    expected = (
        f"SKLEARN_SERVER expects model.joblib, model.pkl or model.pickle in {uri}; "
        "found model-settings.json, model.json (an XGBOOST_SERVER model?)"
    )
    assert failed["reason"] == f"default: {expected}"
    await statuses.wait_for(lambda evs: any(json_object(e).get("reason") == failed["reason"] for e in evs))
    processes = await serving.resources("mismatch")
    assert [r.get("pid") for p in processes["predictors"] for r in p["replicas"]] == [None]  # MLServer never ran
    answer = await serving.http.post(serving.data_url("mismatch", "/api/v1.0/predictions"), json=IRIS_REQUEST)
    assert answer.status_code == 503


async def test_a_v2_call_for_a_model_the_deployment_does_not_serve_is_404(
    serving: Serving, demo_models: dict[str, str]
) -> None:
    await serving.publish_spec("iris", seldon_deployment(serving.namespace, "iris", [
        predictor("default", "SKLEARN_SERVER", demo_models["iris-sklearn"], graph_name="classifier"),
    ]))  # fmt: skip
    await serving.wait_status("iris", "Available")

    for served in ("classifier", "iris"):  # the graph node's name, and the deployment's (KServe's convention)
        ok = await serving.http.post(serving.data_url("iris", f"/v2/models/{served}/infer"), json=V2_BODY)
        assert ok.status_code == 200 and ok.json()["model_name"] == served, ok.text
        assert (await serving.http.get(serving.data_url("iris", f"/v2/models/{served}/ready"))).status_code == 200
        assert (await serving.http.get(serving.data_url("iris", f"/v2/models/{served}"))).status_code == 200

    calls = [
        ("POST", "/v2/models/sklearn-iris/infer", V2_BODY),
        ("POST", "/v2/models/sklearn-iris/versions/1/infer", V2_BODY),
        ("GET", "/v2/models/sklearn-iris/ready", None),
        ("GET", "/v2/models/sklearn-iris", None),
        ("POST", "/v1/models/sklearn-iris:predict", {"instances": [[5.1, 3.5, 1.4, 0.2]]}),
    ]
    for method, path, body in calls:
        answer = await serving.http.request(method, serving.data_url("iris", path), json=body)
        assert answer.status_code == 404, (path, answer.text)
        error = answer.json()
        assert error["reason"] == "model_not_found", error
        assert "'sklearn-iris'" in error["message"] and "'iris', 'classifier'" in error["message"], error
