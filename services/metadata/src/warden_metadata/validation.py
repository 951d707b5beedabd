"""Turn a request body into a `ModelIn`, or a 422 whose details name each offending field by its wire path
(`predictionSchema.requests[1].categoryMap`), covering both shape errors and the ML Prediction Schema's rules."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from warden_common.errors import Unprocessable
from warden_metadata.schemas import FeatureSchema, FeatureType, ModelIn, PredictionSchema

_CATEGORICAL = {FeatureType.CATEGORICAL, FeatureType.ONE_HOT, FeatureType.PROBA}


def wire_path(loc: Sequence[int | str]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "(body)"


def _feature_errors(feature: FeatureSchema, path: str) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []

    def fail(field: str, message: str) -> None:
        errors.append({"field": f"{path}.{field}", "message": message})

    if feature.type in _CATEGORICAL:
        if feature.n_categories is None and not feature.category_map and not feature.schema_:
            fail("type", f"a {feature.type} feature needs nCategories, categoryMap or schema to say its categories")
        for key in feature.category_map or {}:
            if not key.isascii() or not key.isdigit():
                fail(f"categoryMap.{key}", "keys are category indexes: non-negative integers as strings")
            elif feature.n_categories is not None and int(key) >= feature.n_categories:
                fail(f"categoryMap.{key}", f"index {key} is out of range for nCategories={feature.n_categories}")
        if feature.schema_ is not None and feature.n_categories not in (None, len(feature.schema_)):
            fail("schema", f"lists {len(feature.schema_)} categories but nCategories is {feature.n_categories}")
    else:
        for field, value in (("nCategories", feature.n_categories), ("categoryMap", feature.category_map)):
            if value is not None:
                fail(
                    field,
                    f"only categorical features (CATEGORICAL, ONE_HOT, PROBA) have {field}; this is {feature.type}",
                )
    if feature.type == FeatureType.TENSOR and not feature.shape:
        fail("shape", "a TENSOR feature needs its shape, e.g. [28, 28, 1]")
    names = [item.name for item in feature.schema_ or []]
    for index, name in enumerate(names):
        if name in names[:index]:
            errors.append({"field": f"{path}.schema[{index}].name", "message": f"duplicate name {name!r}"})
    return errors


def prediction_schema_errors(schema: PredictionSchema, path: str = "predictionSchema") -> list[dict[str, str]]:
    """Rules the field types alone cannot express (protocols.md §7)."""
    errors: list[dict[str, str]] = []
    for side in ("requests", "responses"):
        features: list[FeatureSchema] = getattr(schema, side)
        seen: set[str] = set()
        for index, feature in enumerate(features):
            feature_path = f"{path}.{side}[{index}]"
            if feature.name in seen:
                errors.append({"field": f"{feature_path}.name", "message": f"duplicate feature name {feature.name!r}"})
            seen.add(feature.name)
            errors.extend(_feature_errors(feature, feature_path))
    return errors


def _raise(errors: list[dict[str, str]]) -> None:
    first = errors[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    raise Unprocessable(f"invalid model metadata: {first['field']}: {first['message']}{more}", details=errors)


def parse_model(body: Any) -> ModelIn:
    """A validated `ModelIn` from a decoded JSON body; `Unprocessable` (422) pointing at the fields otherwise."""
    if not isinstance(body, dict):
        _raise([{"field": "(body)", "message": "expected a JSON object (a model)"}])
    try:
        model = ModelIn.model_validate(body)
    except ValidationError as exc:
        _raise([{"field": wire_path(err["loc"]), "message": err["msg"]} for err in exc.errors()])
    if model.prediction_schema is not None:
        errors = prediction_schema_errors(model.prediction_schema)
        if errors:
            _raise(errors)
    return model
