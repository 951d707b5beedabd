"""DetectorData as the official seldon-deploy-sdk 1.6 sends and parses it (snake_case on the wire, protocols.md §8).

The SDK's generated models name `config.basic` {storage_uri, drift_batch_size, drift_type_feature, env_secret_ref}
and `config.deployment` {model_name, protocol, event_type, event_source, reply_url, http_port, prom_scraping,
user_permission}; `status` is a free-form object. Warden accepts further fields in `config.basic` (each detector
kind validates its own: `warden_detectors.runtime.kinds`) and keeps every field it was given, so what was
posted is what is read back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from warden_common.events.deployments import DeploymentKind
from warden_common.names import dns1123_label_problem

DetectorState = Literal["Loading", "Loaded", "Failed"]

EXAMPLE_OUTLIER: dict[str, Any] = {
    "name": "iris-outlier",
    "config": {
        "basic": {"reference_uri": "s3://data/iris/reference.npy", "algorithm": "IForest", "threshold_percentile": 95},
        "deployment": {
            "model_name": "iris",
            "protocol": "seldon.http",
            "event_type": "io.seldon.serving.inference.outlier",
        },
    },
}

PUBLIC_EXAMPLE: dict[str, Any] = {
    **EXAMPLE_OUTLIER, "namespace": "seldon", "deployment_name": "iris", "deployment_kind": "SeldonDeployment",
    "detector_type": "outlier",
    "status": {"state": "Loaded", "reason": None, "errors": [],
               "throughput": {"events": 12, "instances_scored": 12, "last_event_time": "2026-01-01T00:00:00Z"}},
}  # fmt: skip


class BasicConfig(BaseModel):
    """What the detector is: the SDK's fields, Warden's shared `reference_uri`, and each kind's own fields."""

    model_config = ConfigDict(extra="allow")

    storage_uri: str | None = Field(
        None, description="A saved alibi-detect detector (a local path, file:// or s3:// folder) to load."
    )
    drift_batch_size: int | str | None = Field(None, description="Drift detectors: rows per count window.")
    drift_type_feature: bool | None = Field(None, description="Drift detectors: one test per feature.")
    env_secret_ref: str | None = Field(
        None, description="Seldon Deploy's secret with object-store credentials (Warden uses its own settings)."
    )
    reference_uri: str | None = Field(
        None,
        description="Warden: reference data (.npy, or .csv of numbers with an optional header row) to fit the "
        "detector on when there is no saved detector at `storage_uri`.",
    )


class DeploymentConfig(BaseModel):
    """How replies are sent: `event_type` / `event_source` of the reply CloudEvents (the rest is kept as given)."""

    model_config = ConfigDict(extra="allow")

    model_name: str | None = None
    protocol: str | None = Field(None, description="seldon.http, tensorflow.http, kfserving.http, seldonfeedback.http")
    event_type: str | None = Field(None, description="ce-type of the replies; default: the kind's standard type.")
    event_source: str | None = Field(None, description="ce-source of the replies; default: the detector's path.")
    reply_url: str | None = Field(None, description="Kept for the SDK; replies go to the bus (the request logger).")
    http_port: str | None = None
    prom_scraping: bool | None = None
    user_permission: int | None = None


class DetectorConfig(BaseModel):
    model_config = ConfigDict(extra="allow")

    basic: BasicConfig = Field(default_factory=BasicConfig)
    deployment: DeploymentConfig = Field(default_factory=DeploymentConfig)


def _name_rule(name: str) -> str:
    problem = dns1123_label_problem(name)
    if problem is not None:
        raise ValueError(problem)
    return name


class DetectorData(BaseModel):
    """The body of a create: the deployment fields are taken from the path (given ones must agree)."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"example": EXAMPLE_OUTLIER})

    name: Annotated[str, AfterValidator(_name_rule)] = Field(description="The detector's name: a DNS-1123 label.")
    namespace: str | None = None
    deployment_name: str | None = None
    deployment_kind: str | None = None
    detector_type: str | None = Field(None, description="outlier, drift or metrics; default: the path's kind.")
    config: DetectorConfig = Field(default_factory=DetectorConfig)
    status: dict[str, Any] | None = Field(None, description="Ignored on create (the service reports it).")


class Throughput(BaseModel):
    events: int = Field(0, description="Events handled since this process started.")
    instances_scored: int = Field(0, description="Instances (rows) handled since this process started.")
    last_event_time: datetime | None = Field(None, description="Time of the last event handled (UTC).")


class DetectorError(BaseModel):
    time: datetime
    reason: str


class DetectorStatus(BaseModel):
    state: DetectorState
    reason: str | None = Field(None, description="Why the detector failed (state Failed).")
    errors: list[DetectorError] = Field(default_factory=list, description="The latest scoring errors, newest last.")
    throughput: Throughput = Field(default_factory=Throughput)


class DetectorPublic(BaseModel):
    """A stored detector with its live status."""

    model_config = ConfigDict(json_schema_extra={"example": PUBLIC_EXAMPLE})

    name: str
    namespace: str
    deployment_name: str
    deployment_kind: DeploymentKind
    detector_type: str
    config: DetectorConfig
    status: DetectorStatus


class Message(BaseModel):
    """The SDK's `Message`, the answer to a delete."""

    model_config = ConfigDict(json_schema_extra={"example": {"code": 200, "message": "detector iris-outlier deleted"}})

    code: int
    message: str
