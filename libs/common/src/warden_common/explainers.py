"""What an explainer is: the seed's predictor `explainer` section (`{type, modelUri, config}`, SDK `AlibiExplainerSpec`)
plus the fields Warden adds to fit one at creation instead of loading a saved one.

`type` is alibi's explainer class (`AnchorImages`, the seed's spelling, is accepted for `AnchorImage`). The source
is `modelUri` (a saved alibi explainer: a folder written by `explainer.save`) or `referenceUri` (a dataset the
explainer is fitted on: `.npy` or a headerless `.csv` of the rows as the model is sent them). `config` holds alibi's
`explain` parameters (the seed's map of strings; numbers are accepted too), e.g. `threshold`, `batch_size`,
`coverage_samples` for anchors, `nsamples` for KernelShap.

A deployment's spec may carry its explainer: a SeldonDeployment predictor's `explainer` section, or an
InferenceService's `spec.explainer.alibi` (KServe v1beta1 `AlibiExplainerSpec`: `{type, storageUri, config,
runtimeVersion}`, `storageUri` being the saved explainer). `explainer_sections` finds them, so the gateway checks
them at the door (`explainer_problems`) and the detectors service runs the one it finds (`explainer_section`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveInt,
    ValidationError,
    field_validator,
    model_validator,
)

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


@dataclass(frozen=True)
class ExplainerSection:
    """An explainer as a deployment's spec gives it."""

    path: str
    """Where it is in the object, e.g. `spec.predictors[0].explainer` or `spec.explainer.alibi`."""
    fields: dict[str, Any]
    """The section in `ExplainerSpec`'s names (an InferenceService's `storageUri` is `modelUri`)."""
    catalog_model_uri: str | None
    """The URI of the model it explains, whose catalogued prediction schema names the columns."""
    spelled: dict[str, str] = field(default_factory=dict)
    """`ExplainerSpec` field name -> the name the manifest uses for it, where they differ."""

    def spec(self) -> ExplainerSpec:
        """The explainer to run; `ValidationError` if the section is not a usable explainer."""
        return ExplainerSpec.model_validate({"catalogModelUri": self.catalog_model_uri, **self.fields})

    def problems(self) -> list[tuple[str, str]]:
        """(dotted path, message) of every reason the section is not a usable explainer."""
        try:
            self.spec()
        except ValidationError as exc:
            return [self._problem(error["loc"], error["msg"]) for error in exc.errors(include_url=False)]
        return []

    def _problem(self, loc: tuple[int | str, ...], message: str) -> tuple[str, str]:
        path = self.path
        for part in loc:
            path += f"[{part}]" if isinstance(part, int) else f".{self.spelled.get(str(part), part)}"
        for ours, theirs in self.spelled.items():
            message = message.replace(ours, theirs)
        return path, message.removeprefix("Value error, ")


def _spec_body(obj: dict[str, Any]) -> dict[str, Any]:
    body = obj.get("spec")
    return body if isinstance(body, dict) else {}


def _seldon_sections(obj: dict[str, Any]) -> Iterator[ExplainerSection]:
    predictors = _spec_body(obj).get("predictors")
    for index, predictor in enumerate(predictors if isinstance(predictors, list) else []):
        section = predictor.get("explainer") if isinstance(predictor, dict) else None
        if isinstance(section, dict) and section:
            graph = predictor.get("graph")
            model_uri = graph.get("modelUri") if isinstance(graph, dict) else None
            uri = model_uri if isinstance(model_uri, str) else None
            yield ExplainerSection(f"spec.predictors[{index}].explainer", section, uri)


def _isvc_model_uri(obj: dict[str, Any]) -> str | None:
    """The `storageUri` of the predictor's framework block (`sklearn`, `model`, ...)."""
    predictor = _spec_body(obj).get("predictor")
    for block in predictor.values() if isinstance(predictor, dict) else []:
        if isinstance(block, dict) and isinstance(block.get("storageUri"), str):
            return str(block["storageUri"])
    return None


def _isvc_sections(obj: dict[str, Any]) -> Iterator[ExplainerSection]:
    explainer = _spec_body(obj).get("explainer")
    alibi = explainer.get("alibi") if isinstance(explainer, dict) else None
    if isinstance(alibi, dict):
        fields = {k: v for k, v in alibi.items() if k not in ("storageUri", "modelUri")}
        if "storageUri" in alibi:
            fields["modelUri"] = alibi["storageUri"]
        yield ExplainerSection("spec.explainer.alibi", fields, _isvc_model_uri(obj), {"modelUri": "storageUri"})


def explainer_sections(kind: str, obj: dict[str, Any]) -> list[ExplainerSection]:
    """The explainer sections of a SeldonDeployment or InferenceService object (possibly none)."""
    return list(_isvc_sections(obj) if kind == "InferenceService" else _seldon_sections(obj))


def explainer_section(kind: str, obj: dict[str, Any]) -> ExplainerSection | None:
    """The explainer a deployment runs: its first explainer section (a SeldonDeployment's first predictor with one)."""
    return next(iter(explainer_sections(kind, obj)), None)


def explainer_problems(kind: str, obj: dict[str, Any]) -> list[tuple[str, str]]:
    """(dotted path, message) of every explainer in the object that Warden cannot run."""
    problems = [problem for section in explainer_sections(kind, obj) for problem in section.problems()]
    explainer = _spec_body(obj).get("explainer") if kind == "InferenceService" else None
    if isinstance(explainer, dict) and "alibi" not in explainer:
        given = ", ".join(sorted(k for k, v in explainer.items() if isinstance(v, dict | list))) or "no explainer"
        problems.append(("spec.explainer", f"Warden runs alibi explainers only: give spec.explainer.alibi "
                         f"{{type, storageUri or referenceUri, config}}; got {given}"))  # fmt: skip
    return problems
