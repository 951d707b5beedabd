"""Feature distributions on the OpenSearch log store: aggregations over typed doc-values fields.

Writing (`opensearch_searchable`): each request / response part gets `values` (its numbers) and `categories`
(its texts and booleans) beside `features`, keyed by `field_name` of the element's name (groups flattened
`group.class` as everywhere), typed by the index template's dynamic templates (`opensearch_mapping`).

Querying: the instances are selected with the same filters as a search (`opensearch_query`), cohort conditions
on the `features` terms; one search of `size: 0` answers with `stats` + `histogram` aggregations (numbers, one
pair per class) or a `terms` aggregation (categories), all of it again under a `date_histogram` for time slices.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from warden_common.logstore import document as doc
from warden_common.logstore.distributions import (
    LOADTEST_FIELD,
    MAX_CATEGORIES,
    CohortCondition,
    DistributionQuery,
    DistributionResult,
    NumberAggregate,
    Slice,
    epoch_ms,
    finish,
    slice_width_ms,
)
from warden_common.logstore.opensearch_features import feature_condition
from warden_common.logstore.opensearch_mapping import CATEGORIES, VALUES
from warden_common.logstore.opensearch_query import search_body
from warden_common.logstore.opensearch_searchable import field_name
from warden_common.logstore.port import FeatureFilter

# -- querying --


def _numbers_field(part: str, name: str) -> str:
    return f"{part}.{VALUES}.{field_name(name)}"


def _texts_field(part: str, name: str) -> str:
    return f"{part}.{CATEGORIES}.{field_name(name)}"


def _cohort_clause(condition: CohortCondition) -> dict[str, Any]:
    name = condition.name if condition.category is None else f"{condition.name}.{condition.category}"
    field = f"{condition.part}.{doc.FEATURES}"
    if condition.terms is not None:
        alternatives = [feature_condition(field, FeatureFilter(name, "eq", term, condition.part))
                        for term in condition.terms]  # fmt: skip
        for term in condition.terms:  # an unmapped category code is logged as a number
            try:
                number = float(term)
            except ValueError:
                continue
            alternatives.append(feature_condition(field, FeatureFilter(name, "eq", number, condition.part)))
        return {"bool": {"should": alternatives, "minimum_should_match": 1}}
    bounds = [(op, value) for op, value in (("gt", condition.gt), ("gte", condition.gte), ("lt", condition.lt),
                                            ("lte", condition.lte)) if value is not None]  # fmt: skip
    if not bounds:
        return {"exists": {"field": _numbers_field(condition.part, name)}}
    return {"bool": {"filter": [feature_condition(field, FeatureFilter(name, op, value, condition.part))  # type: ignore[arg-type]
                                for op, value in bounds]}}  # fmt: skip


def query_clause(query: DistributionQuery) -> dict[str, Any]:
    clause: dict[str, Any] = search_body(query.scope())["query"]
    filters: list[dict[str, Any]] = clause["bool"]["filter"]
    must_not: list[dict[str, Any]] = clause["bool"]["must_not"]
    if query.outlier is False:
        must_not.append({"term": {f"outlier.{doc.IS_OUTLIER}": True}})
    if not query.include_loadtest:
        must_not.append({"exists": {"field": LOADTEST_FIELD}})
    filters.extend(_cohort_clause(condition) for condition in query.cohort)
    return clause


def _value_aggs(query: DistributionQuery) -> dict[str, Any]:
    if query.kind == "categories":
        return {
            "texts": {"terms": {"field": _texts_field(query.part, query.feature), "size": MAX_CATEGORIES}},
            "codes": {"terms": {"field": _numbers_field(query.part, query.feature), "size": MAX_CATEGORIES}},
        }
    names = [query.feature] if query.kind == "numbers" else [f"{query.feature}.{c}" for c in query.classes]
    aggs: dict[str, Any] = {}
    for index, name in enumerate(names):
        field = _numbers_field(query.part, name)
        aggs[f"s{index}"] = {"stats": {"field": field}}
        if query.histogram_interval:
            aggs[f"h{index}"] = {
                "histogram": {"field": field, "interval": query.histogram_interval, "min_doc_count": 1}
            }
    return aggs


def request_body(query: DistributionQuery) -> dict[str, Any]:
    aggs = _value_aggs(query)
    if query.time_buckets and query.start is not None and query.end is not None:
        width = slice_width_ms(query.start, query.end, query.time_buckets)
        aggs["time"] = {
            "date_histogram": {"field": doc.TIMESTAMP, "fixed_interval": f"{width}ms",
                               "offset": f"+{epoch_ms(query.start) % width}ms", "min_doc_count": 1},
            "aggs": _value_aggs(query),
        }  # fmt: skip
    aggs["first"] = {"min": {"field": doc.TIMESTAMP}}
    aggs["last"] = {"max": {"field": doc.TIMESTAMP}}
    return {"size": 0, "track_total_hits": True, "query": query_clause(query), "aggs": aggs}


def to_result(query: DistributionQuery, answer: dict[str, Any]) -> DistributionResult:
    total = answer["hits"]["total"]
    overall = _slice(query, answer.get("aggregations", {}), total["value"] if isinstance(total, dict) else int(total))
    slices: dict[int, Slice] = {}
    if query.time_buckets and query.start is not None and query.end is not None:
        width = slice_width_ms(query.start, query.end, query.time_buckets)
        start = epoch_ms(query.start)
        for bucket in answer.get("aggregations", {}).get("time", {}).get("buckets", []):
            index = (int(bucket["key"]) - start) // width
            if 0 <= index < query.time_buckets:
                slices[index] = _slice(query, bucket, int(bucket["doc_count"]))
    aggregations = answer.get("aggregations", {})
    return finish(query, overall, slices, _instant(aggregations.get("first")), _instant(aggregations.get("last")))


def _instant(agg: dict[str, Any] | None) -> datetime | None:
    value = (agg or {}).get("value")
    return None if value is None else datetime.fromtimestamp(value / 1000, UTC)


def _slice(query: DistributionQuery, aggs: dict[str, Any], instances: int) -> Slice:
    found = Slice(instances=instances)
    if query.kind == "categories":
        for bucket in aggs.get("texts", {}).get("buckets", []):
            found.categories[str(bucket["key"])] = int(bucket["doc_count"])
        for bucket in aggs.get("codes", {}).get("buckets", []):
            key = float(bucket["key"])
            text = str(int(key)) if key.is_integer() else repr(key)
            found.categories[text] = found.categories.get(text, 0) + int(bucket["doc_count"])
        return found
    names = [""] if query.kind == "numbers" else list(query.classes)
    for index, name in enumerate(names):
        stats = aggs.get(f"s{index}", {})
        numbers = NumberAggregate()
        numbers.add(int(stats.get("count") or 0), stats.get("min"), stats.get("max"), float(stats.get("sum") or 0.0))
        for bucket in aggs.get(f"h{index}", {}).get("buckets", []):
            if bucket["doc_count"]:
                numbers.histogram[float(bucket["key"])] = int(bucket["doc_count"])
        found.numbers[name] = numbers
    return found
