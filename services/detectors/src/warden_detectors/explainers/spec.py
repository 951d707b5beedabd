"""What an explainer is: the seed's predictor `explainer` section (`{type, modelUri, config}`, SDK `AlibiExplainerSpec`)
plus the fields Warden adds to fit one at creation instead of loading a saved one.

`type` is alibi's explainer class (`AnchorImages`, the seed's spelling, is accepted for `AnchorImage`). The source
is `modelUri` (a saved alibi explainer: a folder written by `explainer.save`) or `referenceUri` (a dataset the
explainer is fitted on: `.npy` or a headerless `.csv` of the rows as the model is sent them). `config` holds alibi's
`explain` parameters (the seed's map of strings; numbers are accepted too), e.g. `threshold`, `batch_size`,
`coverage_samples` for anchors, `nsamples` for KernelShap.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, PositiveInt, field_validator, model_validator

from warden_common.objectstore.uris import model_uri_problem

ExplainerType = Literal["AnchorTabular", "AnchorText", "AnchorImage", "KernelShap"]
TYPE_ALIASES = {"AnchorImages": "AnchorImage", "anchor_tabular": "AnchorTabular", "anchor_text": "AnchorText",
                "anchor_images": "AnchorImage", "kernel_shap": "KernelShap"}  # fmt: skip

EXPLAIN_PARAMS: dict[str, dict[str, type]] = {
    "AnchorTabular": {"threshold": float, "batch_size": int, "coverage_samples": int, "beam_size": int,
                      "max_anchor_size": int, "min_samples_start": int, "n_covered_ex": int, "delta": float,
                      "tau": float},
    "AnchorText": {"threshold": float, "batch_size": int, "coverage_samples": int, "beam_size": int,
                   "max_anchor_size": int, "min_samples_start": int, "n_covered_ex": int, "delta": float,
                   "tau": float, "sample_proba": float},
    "AnchorImage": {"threshold": float, "batch_size": int, "coverage_samples": int, "beam_size": int,
                    "max_anchor_size": int, "min_samples_start": int, "n_covered_ex": int, "delta": float,
                    "tau": float, "p_sample": float},
    "KernelShap": {"nsamples": int, "l1_reg": str},
}  # fmt: skip
"""alibi `explain` keyword arguments each type accepts from `config`, and their types (the seed sends strings)."""


class ExplainerSpec(BaseModel):
    """One deployment's explainer, as given to `PUT {base}/explainer` or in a predictor's `explainer` section."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    type: ExplainerType
    model_uri: str | None = Field(None, alias="modelUri", description="A saved alibi explainer (storage URI).")
    reference_uri: str | None = Field(
        None, alias="referenceUri", description="Rows to fit the explainer on (.npy or headerless .csv)."
    )
    config: dict[str, Any] = Field(default_factory=dict, description="alibi `explain` parameters.")
    feature_names: list[str] | None = Field(None, alias="featureNames")
    category_map: dict[NonNegativeInt, list[str]] | None = Field(
        None, alias="categoryMap", description="Column index -> category labels (AnchorTabular, KernelShap)."
    )
    prediction_schema: dict[str, Any] | None = Field(
        None, alias="predictionSchema", description="A prediction schema whose request features name the columns."
    )
    catalog_model_uri: str | None = Field(
        None, alias="catalogModelUri", description="The catalog model whose prediction schema names the columns."
    )
    image_shape: list[PositiveInt] | None = Field(
        None,
        alias="imageShape",
        min_length=2,
        max_length=3,
        description="AnchorImage: the shape to reshape a row to, e.g. [8, 8, 1].",
    )
    segment_size: int = Field(
        2, alias="segmentSize", ge=1, description="AnchorImage: side of the square grid cells the image is cut into."
    )
    background_rows: int = Field(
        100, alias="backgroundRows", ge=1, le=1000, description="KernelShap: reference rows kept as its background."
    )

    @model_validator(mode="before")
    @classmethod
    def _aliases(cls, value: Any) -> Any:
        if isinstance(value, dict) and isinstance(value.get("type"), str):
            value = {**value, "type": TYPE_ALIASES.get(value["type"], value["type"])}
        return value

    @field_validator("model_uri", "reference_uri", "catalog_model_uri")
    @classmethod
    def _storage_uri(cls, value: str | None) -> str | None:
        problem = None if value is None else model_uri_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _coherent(self) -> ExplainerSpec:
        if self.model_uri is None and self.reference_uri is None and self.type in ("AnchorTabular", "KernelShap"):
            raise ValueError(f"{self.type} needs modelUri (a saved explainer) or referenceUri (data to fit it on)")
        if self.type == "AnchorImage" and self.model_uri is None and not self.image_shape:
            raise ValueError("AnchorImage needs imageShape, e.g. [8, 8, 1] for rows of 64 pixels")
        self.explain_kwargs()  # config checked now, not at the first explanation
        return self

    def explain_kwargs(self) -> dict[str, Any]:
        """`config` as typed alibi keyword arguments; `ValueError` naming an unknown or ill-typed key."""
        allowed = EXPLAIN_PARAMS[self.type]
        kwargs: dict[str, Any] = {}
        for key, raw in self.config.items():
            if key not in allowed:
                raise ValueError(f"config.{key} is not a parameter of {self.type}; known: {sorted(allowed)}")
            kwargs[key] = _typed(key, raw, allowed[key])
        return kwargs

    def wire(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


_KIND_NAMES = {int: "an integer", float: "a finite number", str: "a string"}


def _typed(key: str, raw: Any, kind: type) -> Any:
    """One `config` value as `kind`: the seed sends strings ("0.95"), JSON sends numbers; anything else (a dict, a
    number too large for an int, a string where a string is wanted but something else came) is refused by name."""
    wrong = ValueError(f"config.{key} must be {_KIND_NAMES[kind]}, got {raw!r}")
    if kind is str:
        if not isinstance(raw, str):
            raise wrong
        return raw
    if isinstance(raw, (dict, list, bool)) or raw is None:
        raise wrong
    try:
        value = kind(raw)
    except (TypeError, ValueError, OverflowError):
        raise wrong from None
    if kind is float and not math.isfinite(value):
        raise wrong
    return value
