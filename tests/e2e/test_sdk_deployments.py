"""The official seldon-deploy-sdk 1.6, unchanged, manages SeldonDeployments and lists namespaces on `warden up`.

The SDK lives in its own venv (`scripts/sdk-venv`); one script drives the whole lifecycle with the SDK's own
models and prints what the SDK parsed at each step as JSON, which is what is asserted here.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import httpx
import pytest

from warden_common.testing.auth import SDK_SIGN_IN

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
API = "/seldon-deploy/api/v1alpha1"

SDK_SCRIPT = SDK_SIGN_IN + textwrap.dedent(
    """
    import json, sys
    from seldon_deploy_sdk import ApiClient, Configuration, SeldonDeploymentsApi
    from seldon_deploy_sdk.models import (
        ObjectMeta, PredictiveUnit, PredictorSpec, SeldonDeployment, SeldonDeploymentSpec,
    )
    from seldon_deploy_sdk.rest import ApiException

    base, namespace, user, password = sys.argv[1:5]
    out = {}
    # Auth is on: the SDK without signing in is refused.
    try:
        SeldonDeploymentsApi(ApiClient(sdk_configuration(base, user, password))).list_seldon_deployments(namespace)
        out["anonymous"] = 200
    except ApiException as exc:
        out["anonymous"] = exc.status
    client = signed_in_client(base, user, password)
    api = SeldonDeploymentsApi(client)

    # The SDK has no namespace API of its own; its generic client and `Namespace` model read ours.
    namespaces = client.call_api("/namespaces", "GET", response_type="list[Namespace]",
                                 auth_settings=["OAuth2"], _return_http_data_only=True)
    out["namespaces"] = [{"name": ns.name, "labels": ns.labels} for ns in namespaces]

    sdep = SeldonDeployment(
        api_version="machinelearning.seldon.io/v1",
        kind="SeldonDeployment",
        metadata=ObjectMeta(name="iris", namespace=namespace, labels={"team": "e2e"}),
        spec=SeldonDeploymentSpec(
            name="iris",
            predictors=[
                PredictorSpec(
                    name="default",
                    replicas=1,
                    graph=PredictiveUnit(
                        name="iris-default", implementation="SKLEARN_SERVER",
                        model_uri="gs://seldon-models/sklearn/iris", children=[],
                    ),
                )
            ],
        ),
    )
    # seldon-deploy-sdk 1.6 sends validate as a GET and its REST client drops GET bodies: the server can only
    # say so (400 with the reason); clients that can send the body POST it to the same path.
    try:
        out["validate"] = {"status": 200, "body": api.validate_seldon_deployment(namespace, sdep).to_dict()}
    except ApiException as exc:
        out["validate"] = {"status": exc.status, "body": json.loads(exc.body)}
    created = api.create_seldon_deployment(namespace, sdep, message="first version")
    out["created"] = client.sanitize_for_serialization(created)
    out["listed"] = [d.metadata.name for d in api.list_seldon_deployments(namespace).items]

    read = api.read_seldon_deployment("iris", namespace)
    out["read"] = client.sanitize_for_serialization(read)
    read.spec.predictors[0].graph.model_uri = "gs://seldon-models/sklearn/iris2"
    updated = api.update_seldon_deployment("iris", namespace, read, message="new model")
    out["updated"] = client.sanitize_for_serialization(updated)
    try:
        api.update_seldon_deployment("iris", namespace, read)  # still the old resourceVersion
        out["stale"] = 200
    except ApiException as exc:
        out["stale"] = exc.status

    bad = api.read_seldon_deployment("iris", namespace)
    bad.metadata = ObjectMeta(name="iris-bad")
    bad.spec.predictors[0].graph.model_uri = None
    bad.spec.predictors[0].traffic = 50
    try:
        api.create_seldon_deployment(namespace, bad)
        out["invalid"] = {"status": 200}
    except ApiException as exc:
        out["invalid"] = {"status": exc.status, "body": json.loads(exc.body)}

    api.delete_seldon_deployment("iris", namespace, message="done")
    out["after_delete"] = [d.metadata.name for d in api.list_seldon_deployments(namespace).items]
    try:
        api.read_seldon_deployment("iris", namespace)
        out["read_deleted"] = 200
    except ApiException as exc:
        out["read_deleted"] = exc.status
    print(json.dumps(out, default=str))
    """
)

PREDICT_SCRIPT = SDK_SIGN_IN + textwrap.dedent(
    """
    import json, sys, time
    from seldon_deploy_sdk import ApiClient, Configuration, KubernetesResourcesApi, PredictApi, SeldonDeploymentsApi

    base, model_uri, user, password = sys.argv[1:5]
    client = signed_in_client(base, user, password)
    api = SeldonDeploymentsApi(client)
    sdep = {
        "apiVersion": "machinelearning.seldon.io/v1", "kind": "SeldonDeployment", "metadata": {"name": "iris"},
        "spec": {"predictors": [{"name": "default", "replicas": 1, "graph": {
            "name": "iris-default", "implementation": "SKLEARN_SERVER", "modelUri": model_uri, "children": []}}]},
    }
    api.create_seldon_deployment("seldon", sdep)
    deadline = time.monotonic() + 120
    while (state := api.read_seldon_deployment("iris", "seldon").status.state) not in ("Available", "Failed"):
        if time.monotonic() > deadline:
            break
        time.sleep(0.5)
    predict = PredictApi(client)
    answer = predict.predict_seldon_deployment("iris", "seldon", {"data": {"ndarray": [[5.1, 3.5, 1.4, 0.2]]}})
    curl = predict.read_predict_curl_seldon_deployment("iris", "seldon", {"data": {"ndarray": [[1, 2, 3, 4]]}})
    resources = [
        {
            "component": c.component,
            "deployments": [[d.name, d.status.status, d.status.available_replicas] for d in c.deployments.items],
            "pods": [[p.name, p.status.phase, p.status.container_statuses[0].ready] for p in c.pods.items],
            "services": [s.name for s in c.services.items],
        }
        for c in KubernetesResourcesApi(client).list_seldon_deployment_resources("iris", "seldon")
    ]
    print(json.dumps({"state": state, "answer": answer, "curl": curl, "resources": resources}))
    """
)


@pytest.fixture(scope="module")
def warden(module_warden: str) -> str:
    """One `warden up` for both tests: one works in namespace `e2e` (deleting what it made), one in `seldon`."""
    return module_warden


def test_sdk_creates_lists_reads_updates_and_deletes_a_seldon_deployment(
    sdk_python: Path, warden: str, api_headers: dict[str, str], admin_credentials: tuple[str, str]
) -> None:
    namespace = {"name": "e2e", "labels": {"seldon.restricted": "false"}}
    assert httpx.post(f"{warden}{API}/namespaces", json=namespace).status_code == 401  # auth is on
    assert httpx.post(f"{warden}{API}/namespaces", json=namespace, headers=api_headers).status_code == 201

    command = [str(sdk_python), "-c", SDK_SCRIPT, warden, "e2e", *admin_credentials]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    out: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])

    assert out["anonymous"] == 401

    assert {"name": "e2e", "labels": {"seldon.restricted": "false"}} in out["namespaces"]
    assert {"name": "seldon", "labels": {"seldon.restricted": "false"}} in out["namespaces"]
    assert out["validate"]["status"] == 400 and "GET" in out["validate"]["body"]["message"]

    created = out["created"]
    assert created["metadata"]["name"] == "iris" and created["metadata"]["namespace"] == "e2e"
    assert created["metadata"]["labels"] == {"team": "e2e"} and created["metadata"]["generation"] == 1
    assert created["spec"]["predictors"][0]["graph"]["modelUri"] == "gs://seldon-models/sklearn/iris"
    assert created["status"]["state"]  # Creating, or whatever the runtime reported since
    assert out["listed"] == ["iris"]
    assert out["read"]["metadata"]["uid"] == created["metadata"]["uid"]

    updated = out["updated"]
    assert updated["spec"]["predictors"][0]["graph"]["modelUri"] == "gs://seldon-models/sklearn/iris2"
    assert updated["metadata"]["generation"] == 2
    assert int(updated["metadata"]["resourceVersion"]) > int(created["metadata"]["resourceVersion"])
    assert out["stale"] == 409

    assert out["invalid"]["status"] == 422
    assert [d["path"] for d in out["invalid"]["body"]["details"]] == [
        "spec.predictors",  # a lone predictor's traffic of 50 does not sum to 100
        "spec.predictors[0].graph.modelUri",
    ]

    assert out["after_delete"] == []
    assert out["read_deleted"] == 404

    # What the SDK's validate cannot send, a POST to the same path validates.
    valid = httpx.post(f"{warden}{API}/namespaces/e2e/seldondeployments/validate", json=created, headers=api_headers)
    assert valid.status_code == 200 and valid.json()["code"] == 200


def test_sdk_predicts_through_the_gateway_on_a_real_model(
    sdk_python: Path, demo_models: dict[str, str], warden: str, admin_credentials: tuple[str, str]
) -> None:
    done = subprocess.run(
        [str(sdk_python), "-c", PREDICT_SCRIPT, warden, demo_models["iris-sklearn"], *admin_credentials],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["state"] == "Available"
    [probabilities] = out["answer"]["data"]["ndarray"]
    assert len(probabilities) == 3 and abs(sum(probabilities) - 1) < 1e-6
    assert probabilities.index(max(probabilities)) == 0  # a setosa, as every iris model says
    assert out["curl"].startswith(f"curl -s -X POST {warden}/seldon/seldon/iris/api/v1.0/predictions")
    assert '-H "Authorization: Bearer $TOKEN"' in out["curl"]  # the data plane wants a token too
    # `{base}/resources` as the SDK's own models parse it: one Component per predictor.
    assert out["resources"] == [
        {
            "component": "default",
            "deployments": [["iris-default", "Available", 1]],
            "pods": [["iris-default-0", "Running", True]],
            "services": ["iris-default"],
        }
    ]
