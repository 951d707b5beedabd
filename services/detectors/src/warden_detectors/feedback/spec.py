"""What a metrics server is configured with: `MetricsSpec.from_config(config.basic)`.

The official SDK (and Seldon Deploy's UI) names the model of a metrics server by the alibi-detect server's class
path in `config.basic.storage_uri`, e.g. `adserver.cm_models.multiclass_numeric.MultiClassNumeric`. Warden reads
those three paths, and also takes its own `model_type` field (`binary`, `multiclass_numeric`,
`multiclass_onehot`); when both are given they must agree. Saved custom metrics models (a `meta.pickle` loaded with
dill in the original) are not supported: unpickling user files runs their code.

Warden's other fields under `config.basic`:
- `threshold` (binary only, default 0.5): a one-column prediction is the probability (or 0/1 label) of class 1;
  a value at or above the threshold predicts class 1. A two-column prediction is `[P(class 0), P(class 1)]`
  and is argmax-ed instead (ties go to class 0).
- `classes` (multiclass only, optional): the number of classes. Class numbers must then be below it (a one-hot
  row must have that width), and every class gets its true negatives from the first feedback on. Without it the
  classes are the ones feedback has shown; the summary's counts are the same either way (see `store.py`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from warden_common.errors import Unprocessable

ModelType = Literal["binary", "multiclass_numeric", "multiclass_onehot"]

ORIGINAL_CLASS_PATHS: dict[str, ModelType] = {
    "adserver.cm_models.binary_metrics.BinaryMetrics": "binary",
    "adserver.cm_models.multiclass_numeric.MultiClassNumeric": "multiclass_numeric",
    "adserver.cm_models.multiclass_one_hot.MulticlassOneHot": "multiclass_onehot",
}
"""The alibi-detect server's metrics model classes (what users put in `storage_uri`) -> Warden's model type."""

_CLASS_NAMES: dict[str, ModelType] = {path.rsplit(".", 1)[1]: model for path, model in ORIGINAL_CLASS_PATHS.items()}


MAX_CLASSES = 10_000
"""Most classes a metrics server counts: each is a stored row per minute and four Prometheus series, so a class
number from the wire must not make that unbounded."""


class MetricsSpec(BaseModel):
    """How one metrics server turns feedback (truth and prediction) into per-class TP/FP/TN/FN counts."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model_type: ModelType = Field(
        description="binary (class 1 is the positive class), multiclass_numeric (truth and prediction are class "
        "numbers), multiclass_onehot (one-hot or probability rows, argmax-ed)"
    )
    threshold: float = Field(
        0.5, gt=0.0, lt=1.0, description="binary: a one-column prediction at or above this predicts class 1"
    )
    classes: int | None = Field(
        None, ge=2, le=MAX_CLASSES, description="multiclass: the number of classes (class numbers 0..classes-1)"
    )

    @model_validator(mode="after")
    def _consistent(self) -> MetricsSpec:
        if self.model_type == "binary" and self.classes not in (None, 2):
            raise ValueError(f"a binary metrics server has 2 classes, not {self.classes}")
        return self

    @classmethod
    def from_config(cls, basic: Mapping[str, Any]) -> MetricsSpec:
        """The metrics settings of a DetectorData's `config.basic`; `Unprocessable` naming each bad field."""
        known: dict[str, Any] = {k: v for k, v in basic.items() if k in cls.model_fields and v is not None}
        from_uri = _model_of_storage_uri(basic.get("storage_uri"))
        declared = known.get("model_type")
        if from_uri is not None:
            if declared is not None and declared != from_uri:
                raise _invalid(
                    [("model_type", f"{declared!r} contradicts storage_uri, which names a {from_uri} model")]
                )
            known["model_type"] = from_uri
        elif declared is None:
            raise _invalid([("model_type", _MISSING_MODEL)])
        try:
            return cls.model_validate(known)
        except ValidationError as exc:
            raise _invalid([(_where(e["loc"]), e["msg"]) for e in exc.errors()]) from None


_MISSING_MODEL = (
    "a metrics server needs its model: model_type (binary, multiclass_numeric or multiclass_onehot) or storage_uri "
    f"naming one of {', '.join(ORIGINAL_CLASS_PATHS)}"
)


def _model_of_storage_uri(uri: Any) -> ModelType | None:
    """The model a `storage_uri` names; None when it names none; `Unprocessable` for one Warden cannot run."""
    if uri is None or (isinstance(uri, str) and not uri.strip()):
        return None
    if not isinstance(uri, str):
        raise _invalid([("storage_uri", "must be a string")])
    name = uri.strip()
    model = ORIGINAL_CLASS_PATHS.get(name) or _CLASS_NAMES.get(name)
    if model is None:
        known = ", ".join(ORIGINAL_CLASS_PATHS)
        problem = (
            f"{name!r} is not a metrics model Warden runs: use one of {known} "
            "(saved custom metrics models are not supported), or set model_type"
        )
        raise _invalid([("storage_uri", problem)])
    return model


def _where(loc: Sequence[int | str]) -> str:
    return ".".join(str(part) for part in loc) or "model_type"


def _invalid(problems: list[tuple[str, str]]) -> Unprocessable:
    details = [{"field": f"config.basic.{field}", "message": message} for field, message in problems]
    where = "; ".join(f"{d['field']}: {d['message']}" for d in details)
    return Unprocessable(f"invalid metrics server config: {where}", details=details)
