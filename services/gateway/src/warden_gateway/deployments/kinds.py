"""The two deployment kinds the API manages, and the names each is reached by."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from warden_gateway.crds import Crd, CrdName, load_crd

KindName = Literal["SeldonDeployment", "InferenceService"]


@dataclass(frozen=True)
class DeploymentKind:
    kind: KindName
    plural: str
    """The path segment: `/namespaces/{ns}/<plural>/{name}`."""
    crd_name: CrdName

    @property
    def crd(self) -> Crd:
        return load_crd(self.crd_name)

    @property
    def default_api_version(self) -> str:
        return f"{self.crd.group}/{self.crd.versions[0]}"


SELDON_DEPLOYMENT = DeploymentKind("SeldonDeployment", "seldondeployments", "seldondeployment")
INFERENCE_SERVICE = DeploymentKind("InferenceService", "inferenceservices", "inferenceservice")

KINDS: dict[str, DeploymentKind] = {k.plural: k for k in (SELDON_DEPLOYMENT, INFERENCE_SERVICE)}
BY_KIND: dict[str, DeploymentKind] = {k.kind: k for k in (SELDON_DEPLOYMENT, INFERENCE_SERVICE)}
