"""Publish the runtime's status changes as `io.warden.deployment.status.changed.v1` on the deployments topic."""

from __future__ import annotations

from warden_common.bus.port import Bus
from warden_common.events import DEPLOYMENT_STATUS_CHANGED, build_event
from warden_common.events.deployments import DeploymentStatusChanged, PredictorSummary
from warden_common.topics import DEPLOYMENTS
from warden_serving.runtime.port import StatusChange, StatusListener

SOURCE = "/warden/serving"


def status_publisher(bus: Bus) -> StatusListener:
    async def publish(change: StatusChange) -> None:
        payload = DeploymentStatusChanged(
            namespace=change.namespace,
            name=change.name,
            kind="InferenceService" if change.kind == "InferenceService" else "SeldonDeployment",
            status=str(change.status),
            previous_status=str(change.previous) if change.previous else None,
            reason=_reason(change),
            predictors=[
                PredictorSummary(
                    name=p.name,
                    model_uris=[p.model_uri],
                    traffic=None if p.shadow else p.traffic,
                    shadow=p.shadow,
                    replicas=p.replicas,
                )
                for p in change.predictors
            ],
        )
        event = build_event(DEPLOYMENT_STATUS_CHANGED, payload, source=SOURCE)
        await bus.publish(event, topic=DEPLOYMENTS, key=f"{change.namespace}/{change.name}")

    return publish


def _reason(change: StatusChange) -> str | None:
    """The reason, prefixed with each predictor's state when they differ (PredictorSummary has no status field)."""
    states = change.predictor_states
    if not states or len(set(states.values())) <= 1:
        return change.reason
    per_predictor = ", ".join(f"{name}={state}" for name, state in states.items())
    return f"[{per_predictor}] {change.reason or ''}".strip()
