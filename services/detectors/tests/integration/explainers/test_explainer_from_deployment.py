"""The seed's way: a predictor's `explainer` section in the deployment spec adds the explainer; taking the
section out, or deleting the deployment, removes it (deployment events on a real bus)."""

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


async def explainer_status(harness: Harness, want: int, within_s: float = 30) -> dict[str, Any]:
    for _ in range(int(within_s / 0.2)):
        answer = await harness.client.get(EXPLAINER)
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
