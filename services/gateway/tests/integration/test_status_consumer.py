"""The status consumer: each predictor's `deploymentStatus` comes from its own state in the runtime's event."""

from __future__ import annotations

from typing import Any

import pytest

from warden_common import topics
from warden_common.events import DEPLOYMENT_STATUS_CHANGED, build_event
from warden_common.events.deployments import DeploymentStatusChanged, PredictorSummary
from warden_common.testing.waiting import eventually
from warden_gateway.consumers.status import status_from_event

from .conftest import API, Gateway, load

ISVCS = f"{API}/namespaces/seldon/inferenceservices"


def _canary_starting(uid: str | None) -> DeploymentStatusChanged:
    return DeploymentStatusChanged(
        namespace="seldon",
        name="iris-kserve",
        kind="InferenceService",
        uid=uid,
        status="Creating",
        previous_status="Available",
        reason="canary: 0/1 replicas ready",
        predictors=[
            PredictorSummary(name="default", model_uris=["s3://m/1"], traffic=80, replicas=1, status="Available"),
            PredictorSummary(
                name="canary",
                model_uris=["s3://m/2"],
                traffic=20,
                replicas=1,
                status="Creating",
                reason="0/1 replicas ready",
            ),
        ],
    )


def test_each_predictor_gets_its_own_state_and_older_events_fall_back_to_the_deployments() -> None:
    status = status_from_event(_canary_starting(None))
    assert status["state"] == "Creating"
    assert status["deploymentStatus"]["default"] == {
        "name": "default", "status": "Available", "replicas": 1, "modelUris": ["s3://m/1"]
    }  # fmt: skip
    assert status["deploymentStatus"]["canary"]["status"] == "Creating"
    assert status["deploymentStatus"]["canary"]["description"] == "0/1 replicas ready"
    legacy = DeploymentStatusChanged(
        namespace="seldon", name="iris", kind="SeldonDeployment", status="Available",
        predictors=[PredictorSummary(name="default", model_uris=["s3://m/1"], replicas=1)],
    )  # fmt: skip
    assert status_from_event(legacy)["deploymentStatus"]["default"]["status"] == "Available"


@pytest.mark.integration
async def test_per_predictor_states_reach_the_stored_object(gateway: Gateway) -> None:
    created = (await gateway.client.post(ISVCS, json=load("iris-isvc.yaml"))).json()
    event = build_event(DEPLOYMENT_STATUS_CHANGED, _canary_starting(created["metadata"]["uid"]), source="/w/serving")
    await gateway.bus.publish(event, topic=topics.DEPLOYMENTS, key="seldon/iris-kserve")

    async def reported() -> dict[str, Any] | None:
        obj: dict[str, Any] = (await gateway.client.get(f"{ISVCS}/iris-kserve")).json()
        return obj if "canary" in obj["status"].get("deploymentStatus", {}) else None

    obj = await eventually(reported, "the canary's state in the stored InferenceService")
    predictors = obj["status"]["deploymentStatus"]
    assert (predictors["default"]["status"], predictors["canary"]["status"]) == ("Available", "Creating")
    assert predictors["canary"]["description"] == "0/1 replicas ready" and "description" not in predictors["default"]
    assert obj["status"]["conditions"][0]["status"] == "Unknown"  # the deployment as a whole is still Creating
