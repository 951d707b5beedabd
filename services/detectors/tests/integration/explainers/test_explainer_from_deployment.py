"""The seed's way: a predictor's `explainer` section in a SeldonDeployment (or `spec.explainer.alibi` in an
InferenceService) adds the explainer; taking the section out, or deleting the deployment, removes it (deployment
events on a real bus)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from warden_common import topics
from warden_common.events import DEPLOYMENT_CREATED, DEPLOYMENT_DELETED, DEPLOYMENT_UPDATED, build_event
from warden_common.events.deployments import DeploymentCreated, DeploymentDeleted, DeploymentUpdated

from .conftest import Harness

pytestmark = pytest.mark.integration

EXPLAINER = "/api/v1alpha1/namespaces/seldon/seldondeployments/income/explainer"


def manifest(explainer: dict[str, Any] | None) -> dict[str, Any]:
    predictor: dict[str, Any] = {
        "name": "default",
        "graph": {"name": "classifier", "implementation": "SKLEARN_SERVER", "modelUri": "file:///models/income"},
    }
    if explainer is not None:
        predictor["explainer"] = explainer
    return {"apiVersion": "machinelearning.seldon.io/v1", "kind": "SeldonDeployment",
            "metadata": {"name": "income", "namespace": "seldon"}, "spec": {"predictors": [predictor]}}  # fmt: skip


async def explainer_status(harness: Harness, want: int, within_s: float = 30, path: str = EXPLAINER) -> dict[str, Any]:
    for _ in range(int(within_s / 0.2)):
        answer = await harness.client.get(path)
        if answer.status_code == want:
            body: dict[str, Any] = answer.json()
            return body
        await asyncio.sleep(0.2)
    raise AssertionError(f"GET explainer did not answer {want} within {within_s}s")


async def publish(harness: Harness, type_: str, payload: Any) -> None:
    event = build_event(type_, payload, source="test")
    await harness.bus.publish(event, topic=topics.DEPLOYMENTS, key="seldon/income")


async def test_a_predictor_explainer_section_adds_replaces_and_removes_the_explainer(harness: Harness) -> None:
    section = {"type": "AnchorTabular", "modelUri": None, "referenceUri": harness.references["income"],
               "config": {"threshold": "0.9"}}  # fmt: skip
    section = {k: v for k, v in section.items() if v is not None}
    created = DeploymentCreated(namespace="seldon", name="income", kind="SeldonDeployment",
                                spec=manifest(section), actor="test")  # fmt: skip
    await publish(harness, DEPLOYMENT_CREATED, created)
    added = await explainer_status(harness, 200)
    assert added["source"] == "deployment" and added["type"] == "AnchorTabular"
    assert added["catalogModelUri"] == "file:///models/income"  # where the prediction schema is looked up

    updated = DeploymentUpdated(namespace="seldon", name="income", kind="SeldonDeployment",
                                spec=manifest(None), actor="test")  # fmt: skip
    await publish(harness, DEPLOYMENT_UPDATED, updated)
    await explainer_status(harness, 404)

    await publish(harness, DEPLOYMENT_CREATED, created)
    await explainer_status(harness, 200)
    await publish(
        harness,
        DEPLOYMENT_DELETED,
        DeploymentDeleted(namespace="seldon", name="income", kind="SeldonDeployment", actor="t"),
    )
    await explainer_status(harness, 404)


async def test_an_inference_service_spec_explainer_is_served_on_its_inferenceservices_routes(
    harness: Harness,
) -> None:
    base = "/api/v1alpha1/namespaces/seldon/inferenceservices/income"
    alibi = {"type": "AnchorTabular", "referenceUri": harness.references["income"],
             "config": {"coverage_samples": "500", "batch_size": "50"}}  # fmt: skip
    isvc = {"apiVersion": "serving.kserve.io/v1beta1", "kind": "InferenceService",
            "metadata": {"name": "income", "namespace": "seldon"},
            "spec": {"predictor": {"sklearn": {"storageUri": "file:///models/income"}},
                     "explainer": {"alibi": alibi}}}  # fmt: skip
    created = DeploymentCreated(namespace="seldon", name="income", kind="InferenceService", spec=isvc, actor="t")
    await publish(harness, DEPLOYMENT_CREATED, created)
    added = await explainer_status(harness, 200, path=f"{base}/explainer")
    assert added["source"] == "deployment" and added["catalogModelUri"] == "file:///models/income"
    assert (await harness.client.get(EXPLAINER)).status_code == 404  # the SeldonDeployment of that name has none

    answer = await harness.client.post(
        f"{base}/explain", json={"data": {"ndarray": [[53, 4, 0, 2, 8, 4, 2, 0, 0, 0, 60, 9]]}}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["anchor"] and answer.json()["data"]["precision"] >= 0.95
    stored = await harness.client.get(f"{base}/{answer.headers['Location']}")
    assert stored.status_code == 200 and stored.json()["kind"] == "InferenceService"

    deleted = DeploymentDeleted(namespace="seldon", name="income", kind="InferenceService", actor="t")
    await publish(harness, DEPLOYMENT_DELETED, deleted)
    await explainer_status(harness, 404, path=f"{base}/explainer")
