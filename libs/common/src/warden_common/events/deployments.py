"""Warden's deployment lifecycle events (topic `warden.deployments`).

Published by whoever changes a deployment (the gateway on API calls, gitops-sync on a restore, the
runtime on status changes); consumed by the metadata service (runtime table), gitops-sync (audit) and
the UI. Types are reverse-DNS, past tense and versioned; changes are additive only.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from warden_common.events._base import WardenPayload
from warden_common.events.registry import EventSpec

DEPLOYMENT_CREATED = "io.warden.deployment.created.v1"
DEPLOYMENT_UPDATED = "io.warden.deployment.updated.v1"
DEPLOYMENT_DELETED = "io.warden.deployment.deleted.v1"
DEPLOYMENT_STATUS_CHANGED = "io.warden.deployment.status.changed.v1"

DeploymentKind = Literal["SeldonDeployment", "InferenceService"]


def _is_none(value: object) -> bool:
    return value is None


class PredictorSummary(WardenPayload):
    """One predictor of a deployment and the models it serves (what the runtime metadata table needs)."""

    name: str = Field(min_length=1)
    model_uris: list[str] = Field(default_factory=list)
    traffic: int | None = Field(None, ge=0, le=100, description="Percent of traffic; None when not split.")
    shadow: bool = False
    replicas: int | None = Field(None, ge=0)
    # status and reason came later and are left out of the dump when empty, so lifecycle events keep their exact
    # shape and consumers built before the fields existed (extra="forbid") still accept them.
    status: str | None = Field(
        None, exclude_if=_is_none, description="The runtime's state of this predictor (status events only)."
    )
    reason: str | None = Field(None, exclude_if=_is_none, description="Why the predictor is in that state.")


class _DeploymentRef(WardenPayload):
    namespace: str = Field(min_length=1)
    name: str = Field(min_length=1)
    kind: DeploymentKind
    uid: str | None = Field(None, description="Kubernetes (or standalone runtime) uid, once assigned.")


class DeploymentCreated(_DeploymentRef):
    spec: dict[str, Any] = Field(description="The SeldonDeployment / InferenceService object as submitted.")
    predictors: list[PredictorSummary] = Field(default_factory=list)
    status: str | None = None
    actor: str = Field(min_length=1, description="Who made the change (user name or service).")
    comment: str | None = None


class DeploymentUpdated(_DeploymentRef):
    spec: dict[str, Any] = Field(description="The new object.")
    predictors: list[PredictorSummary] = Field(default_factory=list)
    status: str | None = None
    actor: str = Field(min_length=1)
    comment: str | None = None


class DeploymentDeleted(_DeploymentRef):
    actor: str = Field(min_length=1)
    comment: str | None = None


class DeploymentStatusChanged(_DeploymentRef):
    status: str = Field(min_length=1, description="e.g. Creating, Available, Failed.")
    previous_status: str | None = None
    reason: str | None = None
    predictors: list[PredictorSummary] = Field(default_factory=list)


SPECS = (
    EventSpec(DEPLOYMENT_CREATED, DeploymentCreated, "A deployment was created."),
    EventSpec(DEPLOYMENT_UPDATED, DeploymentUpdated, "A deployment's spec was changed."),
    EventSpec(DEPLOYMENT_DELETED, DeploymentDeleted, "A deployment was deleted."),
    EventSpec(DEPLOYMENT_STATUS_CHANGED, DeploymentStatusChanged, "A deployment's runtime status changed."),
)
