"""A DeploymentFeatureData body -> the store query: schema resolution, cohort conditions, time bounds (no I/O)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from warden_common.errors import BadRequest
from warden_common.logstore.distributions import CohortCondition
from warden_common.logstore.opensearch_searchable import field_name, slot_fields
from warden_request_logger.distributions import FeatureDataBody, plan
from warden_request_logger.schema import PredictionSchema

SCHEMA = PredictionSchema.parse(json.loads((Path(__file__).parent.parent / "data" / "income_schema.json").read_text()))


def _plan(body: dict[str, object]):  # type: ignore[no-untyped-def]
    return plan(FeatureDataBody.model_validate(body), SCHEMA, namespace="seldon", name="income", life=None)


def test_the_cohort_body_becomes_one_store_query() -> None:
    planned = _plan({
        "feature": "Income", "aggregate_over_time": True, "parameters": {"histogram_interval": 0.1},
        "filters": [
            {"is_timestamp": True, "gte": "2026-01-05T00:00:00Z", "lte": "2026-01-05T23:59:59.999Z"},
            {"feature": "Age", "gte": "25", "lte": "50"},
            {"feature": "Education", "terms": ["4", "Dropout"]},  # a category code is its name
            {"is_outlier": False},
        ],
    })  # fmt: skip
    query = planned.query
    assert (query.part, query.feature, query.kind, query.classes) == ("response", "Income", "classes",
                                                                     ("<=$50K", ">$50K"))  # fmt: skip
    assert query.start == datetime(2026, 1, 5, tzinfo=UTC) and query.end == datetime(2026, 1, 6, tzinfo=UTC)
    assert query.cohort == (
        CohortCondition("request", "Age", gte=25.0, lte=50.0),
        CohortCondition("request", "Education", terms=("High School grad", "Dropout")),
    )
    assert query.outlier is False and query.time_buckets is None and not query.include_loadtest


def test_time_slices_by_default_and_epoch_milliseconds() -> None:
    start = datetime(2026, 1, 5, tzinfo=UTC)
    millis = int(start.timestamp() * 1000)
    query = _plan({"feature": "Age", "filters": [{"is_timestamp": True, "gt": str(millis)}]}).query
    assert query.time_buckets == 10 and query.start == start + timedelta(milliseconds=1) and query.end is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"feature": "Income", "filters": [{"feature": "Age", "terms": ["30"]}]}, "filters[0].terms"),
        ({"feature": "Income", "filters": [{"feature": "Education", "gte": "1"}]}, "filters[0].terms"),
        ({"feature": "Income", "filters": [{"feature": "Income", "category_name": "rich", "gte": "0.5"}]},
         "filters[0].category_name"),
        ({"feature": "Income", "filters": [{"is_timestamp": True, "gte": "2026-01-06T00:00:00Z",
                                            "lt": "2026-01-05T00:00:00Z"}]}, "filters[0]"),
        ({"feature": "Age", "reference_data": True}, "reference_data"),
    ],
)  # fmt: skip
def test_bad_bodies_name_the_field(body: dict[str, object], field: str) -> None:
    with pytest.raises(BadRequest) as raised:
        _plan(body)
    assert raised.value.details == {"field": field}
    assert raised.value.message.startswith(field)


def test_aggregatable_fields_keep_names_apart_and_types_apart() -> None:
    numbers, texts = slot_fields({"Age": 39, "a.b": 1.5, "Sex": "Male", "ok": True, "Income": {">$50K": 0.2},
                                  "bad": float("nan"), "wide": 2**70, "tensor": [1, 2]})  # fmt: skip
    assert numbers == {"Age": 39, "a%2Eb": 1.5, "Income%2E>$50K": 0.2}
    assert texts == {"Sex": "Male", "ok": "true"}
    assert field_name("50%.x") == "50%25%2Ex"
