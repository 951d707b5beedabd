"""A detector as stored and as the runtime sees it (transport-free)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

KindName = Literal["outlier", "drift", "metrics"]

KIND_PATHS: dict[str, KindName] = {
    "outlier-detector": "outlier",
    "drift-detector": "drift",
    "metrics-server": "metrics",
}
"""URL segment under `.../monitor/` -> the detector kind."""

PLURAL_KINDS = {"seldondeployments": "SeldonDeployment", "inferenceservices": "InferenceService"}


@dataclass(frozen=True, slots=True)
class DeploymentRef:
    """The deployment a detector watches, as inference events name it (namespace + inferenceservicename)."""

    namespace: str
    kind: str
    name: str


@dataclass(frozen=True, slots=True)
class DetectorKey:
    deployment: DeploymentRef
    kind: KindName
    name: str

    def __str__(self) -> str:
        d = self.deployment
        return f"{self.kind} detector {self.name} of {d.kind} {d.namespace}/{d.name}"


@dataclass(frozen=True, slots=True)
class StoredDetector:
    key: DetectorKey
    detector_type: str
    config: dict[str, Any]
    """The DetectorData `config` as given ({basic, deployment, ...})."""
    updated_at: datetime

    @property
    def basic(self) -> dict[str, Any]:
        basic = self.config.get("basic") or {}
        return basic if isinstance(basic, dict) else {}

    @property
    def deployment_config(self) -> dict[str, Any]:
        deployment = self.config.get("deployment") or {}
        return deployment if isinstance(deployment, dict) else {}
