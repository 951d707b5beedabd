"""Runtime metadata follows deployment events consumed from the real bus (PostgreSQL and Kafka adapters)."""

from __future__ import annotations

from typing import Any

import pytest

from warden_common import topics
from warden_common.events import (
    DEPLOYMENT_CREATED,
    DEPLOYMENT_DELETED,
    DEPLOYMENT_STATUS_CHANGED,
    DEPLOYMENT_UPDATED,
    build_event,
)
from warden_common.events.deployments import (
    DeploymentCreated,
    DeploymentDeleted,
    DeploymentStatusChanged,
    DeploymentUpdated,
    PredictorSummary,
)

from .conftest import API, MetadataHarness, eventually

pytestmark = pytest.mark.integration

RUNTIME = f"{API}/runtime"
IRIS_URI = "gs://seldon-models/sklearn/iris"
IRIS_V2_URI = "gs://seldon-models/sklearn/iris-v2"
TRANSFORMER_URI = "gs://seldon-models/transformers/scale"


def _sdep(name: str, predictors: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "apiVersion": "machinelearning.seldon.io/v1",
        "kind": "SeldonDeployment",
        "metadata": {"name": name, "namespace": "seldon"},
        "spec": {"predictors": predictors},
    }


def _graph(uri: str, node: str = "classifier", children: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"name": node, "implementation": "SKLEARN_SERVER", "modelUri": uri, "children": children or []}


async def _publish(harness: MetadataHarness, type_: str, payload: Any, name: str) -> None:
    event = build_event(type_, payload, source="/warden/test")
    await harness.bus.publish(event, topic=topics.DEPLOYMENTS, key=f"seldon/{name}")


async def _runtime(harness: MetadataHarness, **params: str) -> list[dict[str, Any]]:
    response = await harness.client.get(RUNTIME, params=params)
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["runtimeMetadata"]
    return rows


@pytest.mark.parametrize("bus_settings", ["postgres", "kafka"], indirect=True)
async def test_runtime_follows_create_update_status_delete(harness: MetadataHarness, unique_name: str) -> None:
    name = f"iris-{unique_name}"
    # The catalog already knows iris; the transformer is unknown and must be registered automatically.
    registered = {"URI": IRIS_URI, "name": "iris", "version": "1.0", "artifactType": "SKLEARN"}
    assert (await harness.client.post(API, json=registered)).status_code == 200

    graph = _graph(TRANSFORMER_URI, "scaler", [_graph(IRIS_URI)])
    graph["implementation"] = "CUSTOM_SERVER"
    created = DeploymentCreated(
        namespace="seldon",
        name=name,
        kind="SeldonDeployment",
        uid="uid-1",
        spec=_sdep(name, [{"name": "default", "traffic": 100, "graph": graph}]),
        predictors=[PredictorSummary(name="default", model_uris=[TRANSFORMER_URI, IRIS_URI], traffic=100)],
        status="Creating",
        actor="alice",
    )
    await _publish(harness, DEPLOYMENT_CREATED, created, name)

    async def two_rows() -> list[dict[str, Any]]:
        rows = await _runtime(harness, DeploymentName=name)
        return rows if len(rows) == 2 else []

    rows = {r["nodeName"]: r for r in await eventually(two_rows, "a runtime row for each of the two nodes")}
    assert rows["classifier"]["modelUri"] == IRIS_URI
    assert rows["classifier"]["model"]["name"] == "iris"  # joined from the catalog
    assert rows["classifier"] | {"model": None, "creationTime": None} == {
        "modelUri": IRIS_URI,
        "deploymentName": name,
        "deploymentNamespace": "seldon",
        "deploymentKubernetesUid": "uid-1",
        "predictorName": "default",
        "nodeName": "classifier",
        "deploymentStatus": "Unknown",
        "deploymentType": "SeldonDeployment",
        "traffic": "100",
        "shadow": False,
        "explainer": False,
        "model": None,
        "creationTime": None,
    }
    # Found in a deployment but never registered: prepopulated in the catalog (seed §6.7).
    auto = (await harness.client.get(API, params={"URI": TRANSFORMER_URI})).json()["models"]
    assert [m["name"] for m in auto] == ["scaler"]

    status = DeploymentStatusChanged(namespace="seldon", name=name, kind="SeldonDeployment", status="Available")
    await _publish(harness, DEPLOYMENT_STATUS_CHANGED, status, name)

    async def running() -> bool:
        return {r["deploymentStatus"] for r in await _runtime(harness, DeploymentName=name)} == {"Running"}

    await eventually(running, "the runtime rows to show the deployment Running")

    # Canary rollout: the transformer goes away, iris-v2 takes 25 % in a second predictor.
    updated = DeploymentUpdated(
        namespace="seldon",
        name=name,
        kind="SeldonDeployment",
        uid="uid-1",
        spec=_sdep(
            name,
            [
                {"name": "default", "traffic": 75, "graph": _graph(IRIS_URI)},
                {"name": "canary", "traffic": 25, "graph": _graph(IRIS_V2_URI)},
            ],
        ),
        status="Available",
        actor="alice",
    )
    await _publish(harness, DEPLOYMENT_UPDATED, updated, name)

    async def rolled_out() -> list[dict[str, Any]]:
        rows = await _runtime(harness, DeploymentName=name)
        got = sorted((r["predictorName"], r["modelUri"], r.get("traffic")) for r in rows)
        want = [("canary", IRIS_V2_URI, "25"), ("default", IRIS_URI, "75")]
        return rows if got == want else []

    await eventually(rolled_out, "the runtime rows of the canary rollout")
    canary = await _runtime(harness, ModelURI=IRIS_V2_URI)
    assert [r["predictorName"] for r in canary] == ["canary"]
    assert (await _runtime(harness, ModelURI=IRIS_V2_URI, PredictorName="default")) == []

    await _publish(
        harness,
        DEPLOYMENT_DELETED,
        DeploymentDeleted(namespace="seldon", name=name, kind="SeldonDeployment", actor="alice"),
        name,
    )

    async def gone() -> bool:
        return await _runtime(harness, DeploymentName=name) == []

    await eventually(gone, "the runtime rows to go with the deployment")
    # The catalog keeps its entries; only the runtime placements go.
    assert len((await harness.client.get(API, params={"URI": IRIS_V2_URI})).json()["models"]) == 1


async def test_inference_service_and_runtime_pagination(harness: MetadataHarness, unique_name: str) -> None:
    names = [f"isvc-{unique_name}-{i}" for i in range(5)]
    for name in names:
        isvc = {
            "apiVersion": "serving.kserve.io/v1beta1",
            "kind": "InferenceService",
            "metadata": {"name": name},
            "spec": {
                "predictor": {"sklearn": {"storageUri": f"gs://kfserving/{name}"}},
                "explainer": {"alibi": {"type": "AnchorTabular", "storageUri": f"gs://explainers/{name}"}},
            },
        }
        created = DeploymentCreated(
            namespace="kfs", name=name, kind="InferenceService", spec=isvc, status="Ready", actor="bob"
        )
        await _publish(harness, DEPLOYMENT_CREATED, created, name)

    async def all_rows() -> bool:
        return len(await _runtime(harness, deploymentType="InferenceService")) == 10

    await eventually(all_rows, "ten runtime rows (predictor and explainer of five services)")
    seen: list[tuple[str, str]] = []
    token = ""
    while True:
        params = {"pageSize": "3", "DeploymentNamespace": "kfs", **({"pageToken": token} if token else {})}
        body = (await harness.client.get(RUNTIME, params=params)).json()
        seen.extend((r["deploymentName"], r["nodeName"]) for r in body["runtimeMetadata"])
        token = body["nextPageToken"]
        if not token:
            break
    assert sorted(seen) == sorted((n, node) for n in names for node in ("predictor", "explainer"))
    explainers = await _runtime(harness, NodeName="explainer", DeploymentStatus="Running")
    assert len(explainers) == 5 and all(r["explainer"] for r in explainers)
    sklearn = (await harness.client.get(API, params={"URI": f"gs://kfserving/{names[0]}"})).json()["models"]
    assert sklearn[0]["artifactType"] == "SKLEARN"


async def test_a_nul_in_a_runtime_filter_is_a_422_naming_it(harness: MetadataHarness) -> None:
    response = await harness.client.get(RUNTIME, params={"DeploymentNamespace": "a\x00b"})
    assert response.status_code == 422, response.text
    assert "DeploymentNamespace" in response.text
