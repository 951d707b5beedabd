"""Prediction-schema naming, index-name encoding and document ids (no I/O)."""

from __future__ import annotations

from warden_common.logstore.document import feature_entries, instance_doc_id
from warden_common.logstore.naming import encode_component, index_name, index_pattern
from warden_common.logstore.port import DeploymentRef
from warden_request_logger.schema import PredictionSchema, name_by_payload, name_columns

SCHEMA = PredictionSchema.parse({
    "requests": [
        {"name": "Age", "type": "REAL"},
        {"name": "Sex", "type": "CATEGORICAL", "categoryMap": {"0": "Female", "1": "Male"}},
        {"name": "Colour", "type": "ONE_HOT", "schema": [{"name": "red"}, {"name": "blue"}]},
    ],
    "responses": [{"name": "Income", "type": "PROBA", "schema": [{"name": "low"}, {"name": "high"}]}],
})  # fmt: skip


def test_schema_names_categorises_and_groups() -> None:
    assert name_columns(SCHEMA.requests, [39, 1.0, 0, 1]) == {"Age": 39, "Sex": "Male", "Colour": {"red": 0, "blue": 1}}
    assert name_columns(SCHEMA.responses, [0.2, 0.8]) == {"Income": {"low": 0.2, "high": 0.8}}


def test_a_row_that_does_not_fit_the_schema_is_not_forced_into_it() -> None:
    assert name_columns(SCHEMA.requests, [1, 2]) is None
    assert name_by_payload(["a", "b"], [1, 2]) == {"a": 1, "b": 2}
    assert name_by_payload([], [1, 2]) == {"0": 1, "1": 2}


def test_index_names_cannot_collide_across_namespace_and_deployment() -> None:
    first = index_name("w-", "inference-log", DeploymentRef("a-b", "c"))
    second = index_name("w-", "inference-log", DeploymentRef("a", "b-c"))
    assert first != second
    assert first == "w-inference-log.a-b.c"
    assert encode_component("My.Model_1") == "_4dy_2e_4dodel_5f1"
    assert encode_component("") != encode_component("_")
    # A namespace search pattern stops at the separator: `model` never matches `model-v2`.
    assert index_pattern("w-", "inference-log", "model", None) == "w-inference-log.model.*"


def test_very_long_names_stay_within_the_limit_and_distinct() -> None:
    long = index_name("w-", "inference-log", DeploymentRef("n" * 200, "d" * 200))
    other = index_name("w-", "inference-log", DeploymentRef("n" * 200, "d" * 199 + "e"))
    assert len(long.encode()) <= 255 and long != other


def test_document_ids_are_deterministic_and_features_typed() -> None:
    assert instance_doc_id("abc", 2) == "abc-item-2"
    assert feature_entries({"Age": 39, "Sex": "Male", "ok": True, "P": {"x": 0.5}, "img": [[1]]}) == [
        {"name": "Age", "num": 39.0}, {"name": "Sex", "str": "Male"}, {"name": "ok", "bool": True},
        {"name": "P.x", "num": 0.5},
    ]  # fmt: skip


def _category_reference(category_map: dict[str, str], value: object) -> object:
    """What naming a categorical column means (protocols.md §7): the value's text looked up in the map."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return category_map.get(str(value), value)


CATEGORY_MAPS = [
    {"0": "Female", "1": "Male"},
    {"-1": "minus", "2.5": "half", "2.0": "not 2", "x": "ex", "True": "T", "None": "N", "nan": "NaN",
     "1e20": "sci", "100000000000000000000": "big", " 3": "spaced", "0": "zero"},
    {},
]  # fmt: skip
VALUES = [0, 1, 1.0, -1, -1.0, -0.0, 2, 2.0, 2.5, 3, 7.0, 1e20, 10**20, "x", "0", "Male", True, False, None,
          float("nan"), float("inf"), [1], 10**30]  # fmt: skip


def test_a_compiled_namer_names_categories_as_the_text_lookup_does() -> None:
    for category_map in CATEGORY_MAPS:
        schema = PredictionSchema.parse({"requests": [{"name": "c", "type": "CATEGORICAL", "categoryMap": category_map},
                                                      {"name": "r", "type": "REAL"}]})  # fmt: skip
        namer = schema.namer_for("request")
        for value in VALUES:
            named = namer.name([value, 1])
            assert named is not None
            expected = _category_reference(category_map, value)
            assert named["c"] == expected or (expected != expected and named["c"] != named["c"]), (category_map, value)
            assert type(named["c"]) is type(expected), (category_map, value)


def test_the_compiled_namer_keeps_the_order_rules_of_repeated_names_and_groups() -> None:
    repeated = PredictionSchema.parse({"requests": [
        {"name": "a", "type": "CATEGORICAL", "categoryMap": {"1": "one"}}, {"name": "a", "type": "REAL"},
        {"name": "t", "type": "TENSOR", "shape": [1]},
    ]})  # fmt: skip
    assert repeated.namer_for("request").name([1, 1, 5]) == {"a": 1, "t": [5]}  # the later feature wins
    assert SCHEMA.namer_for("request").name([39, 1.0, 0, 1]) == name_columns(SCHEMA.requests, [39, 1.0, 0, 1])
    assert SCHEMA.namer_for("response") is SCHEMA.namer_for("response")  # worked out once per schema
