"""The seldon-deploy-sdk's answers to feature distribution and statistics queries (`FeatureDistributionResponse`,
`FeatureStatisticsResponse`), from the store's aggregates."""

from __future__ import annotations

from typing import Any

from warden_common.logstore.distributions import DistributionResult, NumberAggregate, Slice
from warden_request_logger.distributions import Plan, Resolved


def _key(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(round(float(value), 12))


def _value_buckets(feature: Resolved, part: Slice, minimum: int) -> list[dict[str, Any]]:
    if feature.kind == "categories":
        return [{"key": k, "count": float(n)} for k, n in part.categories.items() if n >= max(minimum, 1)]
    if feature.kind == "numbers":
        histogram = part.numbers[""].histogram
        return [{"key": _key(k), "count": float(histogram[k])} for k in sorted(histogram)]
    return [
        {"key": name, "count": numbers.sum,
         "distribution": {"buckets": [{"key": _key(k), "count": float(numbers.histogram[k])}
                                      for k in sorted(numbers.histogram)]}}
        for name, numbers in part.numbers.items()
    ]  # fmt: skip


def distribution_response(plan: Plan, result: DistributionResult) -> dict[str, Any]:
    feature = plan.feature
    if plan.aggregate:
        buckets = _value_buckets(feature, result.overall, plan.minimum_bucket_count)
    else:
        buckets = [{"key": start.isoformat().replace("+00:00", "Z"), "count": float(part.instances),
                    "distribution": {"buckets": _value_buckets(feature, part, plan.minimum_bucket_count)}}
                   for start, part in result.time_slices]  # fmt: skip
    return {"feature": feature.name, "type": feature.type, "interaction": feature.part,
            "total_instances": result.overall.instances, "distribution": {"buckets": buckets}}  # fmt: skip


def _number_stats(numbers: NumberAggregate) -> dict[str, Any]:
    return {"count": numbers.count, "min": numbers.min, "max": numbers.max, "avg": numbers.avg}


def _stats(feature: Resolved, part: Slice, minimum: int) -> dict[str, Any]:
    if feature.kind == "numbers":
        return _number_stats(part.numbers[""])
    if feature.kind == "categories":
        counted = {k: n for k, n in part.categories.items() if n >= max(minimum, 1)}
        top = min(counted.items(), key=lambda item: (-item[1], item[0]), default=(None, None))
        return {"count": sum(part.categories.values()), "most_frequent_category": top[0],
                "most_frequent_category_count": None if top[1] is None else float(top[1]),
                "buckets": [{"key": k, "stats": {"count": n}} for k, n in counted.items()]}  # fmt: skip
    averages = {name: numbers.avg for name, numbers in part.numbers.items() if numbers.avg is not None}
    top_class = max(averages.items(), key=lambda item: item[1], default=(None, None))
    counts = [numbers.count for numbers in part.numbers.values()]
    return {"count": max(counts, default=0), "most_frequent_category": top_class[0],
            "most_frequent_category_count": top_class[1],
            "buckets": [{"key": name, "stats": _number_stats(n)} for name, n in part.numbers.items()]}  # fmt: skip


def statistics_response(plan: Plan, result: DistributionResult) -> dict[str, Any]:
    feature = plan.feature
    stats = _stats(feature, result.overall, plan.minimum_bucket_count)
    if not plan.aggregate:
        stats["buckets"] = [{"key": start.isoformat().replace("+00:00", "Z"),
                             "stats": _stats(feature, part, plan.minimum_bucket_count)}
                            for start, part in result.time_slices]  # fmt: skip
    return {"feature": feature.name, "type": feature.type, "interaction": feature.part,
            "total_instances": result.overall.instances, "stats": stats}  # fmt: skip
