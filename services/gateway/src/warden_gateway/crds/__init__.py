"""The real CRD schemas of SeldonDeployment and InferenceService (data in `data/`, see its PROVENANCE.md)."""

from __future__ import annotations

import functools
import gzip
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

CrdName = Literal["seldondeployment", "inferenceservice"]


@dataclass(frozen=True)
class Crd:
    group: str
    kind: str
    versions: tuple[str, ...]
    schema: dict[str, Any]

    @property
    def api_versions(self) -> tuple[str, ...]:
        """The `apiVersion` values an object of this kind may carry, e.g. `machinelearning.seldon.io/v1`."""
        return tuple(f"{self.group}/{version}" for version in self.versions)


@functools.cache
def load_crd(name: CrdName) -> Crd:
    """The CRD's group, kind, served versions and `openAPIV3Schema` (read once per process)."""
    raw = resources.files(__package__).joinpath("data", f"{name}.schema.json.gz").read_bytes()
    data = json.loads(gzip.decompress(raw))
    return Crd(group=data["group"], kind=data["kind"], versions=tuple(data["versions"]), schema=data["schema"])
