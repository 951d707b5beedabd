"""What an outlier detector's `config.basic` may say (Warden's fields beside the SDK's `storage_uri`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from warden_common.objectstore import model_uri_problem


class OutlierSpec(BaseModel):
    """Either a saved alibi-detect detector (`storage_uri`) or one fitted on reference data (`reference_uri`)."""

    model_config = ConfigDict(extra="ignore")

    storage_uri: str | None = Field(None, description="A saved alibi-detect outlier detector (folder).")
    reference_uri: str | None = Field(None, description="Reference rows (.npy / .csv) to fit `algorithm` on.")
    algorithm: Literal["IForest", "Mahalanobis"] = Field(
        "IForest", description="What to fit on the reference data (alibi-detect's IForest or Mahalanobis)."
    )
    threshold: float | None = Field(
        None, description="Outlier score above which an instance is an outlier; default: inferred from the "
        "reference data at `threshold_percentile`."
    )  # fmt: skip
    threshold_percentile: float = Field(
        95.0, gt=0, lt=100, description="Percentage of the reference data taken as normal when inferring the threshold."
    )
    n_estimators: int = Field(100, ge=1, le=5000, description="IForest: trees in the forest.")
    n_components: int = Field(3, ge=1, le=1000, description="Mahalanobis: principal components used.")

    @model_validator(mode="after")
    def _one_source(self) -> OutlierSpec:
        if not self.storage_uri and not self.reference_uri:
            raise ValueError("an outlier detector needs storage_uri (a saved detector) or reference_uri (data)")
        for field in ("storage_uri", "reference_uri"):
            uri = getattr(self, field)
            problem = model_uri_problem(uri) if uri else None
            if problem is not None:
                raise ValueError(f"{field}: {problem}")
        return self

    @classmethod
    def from_config(cls, basic: Mapping[str, Any]) -> OutlierSpec:
        return cls.model_validate(dict(basic))
