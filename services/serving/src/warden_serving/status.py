"""Publish the runtime's status changes as `io.warden.deployment.status.changed.v1` on the deployments topic.

Each predictor carries its own state and reason (`PredictorSummary.status` / `.reason`), so a reader can tell a
healthy default from a canary that is still starting without parsing the deployment-level `reason`.
"""

from __future__ import annotations

from warden_common.bus.port import Bus
from warden_common.events import DEPLOYMENT_STATUS_CHANGED, build_event
from warden_common.events.deployments import DeploymentStatusChanged, PredictorSummary
from warden_common.topics import DEPLOYMENTS
from warden_serving.runtime.port import StatusChange, StatusListener

SOURCE = "/warden/serving"


def status_payload(change: StatusChange) -> DeploymentStatusChanged:
    predictors = []
    for p in change.predictors:
        state = change.predictor_states.get(p.name)
        predictors.append(
            PredictorSummary(
                name=p.name,
                model_uris=[p.model_uri],
                traffic=None if p.shadow else p.traffic,
                shadow=p.shadow,
                replicas=p.replicas,
                status=state.state if state else None,
                reason=state.reason if state else None,
            )
        )
    return DeploymentStatusChanged(
        namespace=change.namespace,
        name=change.name,
        kind="InferenceService" if change.kind == "InferenceService" else "SeldonDeployment",
        status=str(change.status),
        previous_status=str(change.previous) if change.previous else None,
        reason=change.reason,
        predictors=predictors,
    )


def status_publisher(bus: Bus) -> StatusListener:
    async def publish(change: StatusChange) -> None:
        event = build_event(DEPLOYMENT_STATUS_CHANGED, status_payload(change), source=SOURCE)
        await bus.publish(event, topic=DEPLOYMENTS, key=f"{change.namespace}/{change.name}")

    return publish
