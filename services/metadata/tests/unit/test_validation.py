"""Model bodies and the ML Prediction Schema rules (protocols.md §7), without a database."""

from __future__ import annotations

from typing import Any

import pytest

from warden_common.errors import Unprocessable
from warden_metadata.validation import parse_model
from warden_metadata.wire import stored_prediction_schema


def _fields(body: Any) -> list[str]:
    with pytest.raises(Unprocessable) as caught:
        parse_model(body)
    return [d["field"] for d in caught.value.details]


def test_minimal_model_gets_defaults() -> None:
    model = parse_model({"URI": "gs://m"})
    assert (model.project_or_default(), str(model.artifact_type), model.tags) == ("default", "UNKNOWN", {})


def test_field_paths_point_into_the_schema() -> None:
    body = {
        "URI": "x",
        "predictionSchema": {"requests": [{"name": "a", "type": "REAL"}, {"name": "b", "type": "NOPE"}]},
    }
    assert _fields(body) == ["predictionSchema.requests[1].type"]
    assert _fields([1, 2]) == ["(body)"]
    assert _fields({"URI": ""}) == ["URI"]


def test_categorical_rules() -> None:
    def feature(**extra: Any) -> dict[str, Any]:
        return {"URI": "x", "predictionSchema": {"responses": [{"name": "c", "type": "CATEGORICAL", **extra}]}}

    assert _fields(feature()) == ["predictionSchema.responses[0].type"]
    assert _fields(feature(categoryMap={"a": "x"})) == ["predictionSchema.responses[0].categoryMap.a"]
    assert _fields(feature(categoryMap={"²": "x"})) == ["predictionSchema.responses[0].categoryMap.²"]
    assert _fields(feature(nCategories=0)) == ["predictionSchema.responses[0].nCategories"]
    assert _fields(feature(nCategories=1, schema=[{"name": "a"}, {"name": "b"}])) == [
        "predictionSchema.responses[0].schema"
    ]
    assert _fields(feature(schema=[{"name": "a"}, {"name": "a"}])) == ["predictionSchema.responses[0].schema[1].name"]
    parse_model(feature(nCategories="2", categoryMap={"0": "a", "1": "b"}))


def test_tensor_needs_a_sane_shape() -> None:
    def tensor(**extra: Any) -> dict[str, Any]:
        return {"URI": "x", "predictionSchema": {"requests": [{"name": "img", "type": "TENSOR", **extra}]}}

    assert _fields(tensor()) == ["predictionSchema.requests[0].shape"]
    assert _fields(tensor(shape=[28, 0])) == ["predictionSchema.requests[0].shape"]
    model = parse_model(tensor(shape=["-1", 28, 28]))
    assert model.prediction_schema is not None
    assert stored_prediction_schema(model.prediction_schema) == {
        "requests": [{"name": "img", "type": "TENSOR", "shape": ["-1", "28", "28"]}],
        "responses": [],
    }
