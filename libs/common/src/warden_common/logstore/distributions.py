"""Feature distribution queries on the request log: what a store is asked and what it answers.

A query names one element of the logged instances (a request feature or a response output) and how to read it:
`numbers` (a REAL feature: count, min, max, sum and a histogram), `categories` (a CATEGORICAL feature: a count
per value) or `classes` (a PROBA / ONE_HOT group: the numbers of each class). Instances are those of one
deployment (optionally one endpoint and one life), in a time range, matching every cohort condition on other
elements, and (unless asked otherwise) not sent by a load test. With `time_buckets`, the same aggregates are
also given per equal slice of [start, end).

Stores compute these in the store (OpenSearch aggregations, SQL), never by reading documents: the answer is a
handful of aggregates whatever the number of instances.

Load-test traffic: an instance document with a top-level `loadTest` (`LOADTEST_FIELD`, the job that sent it) was
sent by a load test; distributions leave it out unless `include_loadtest`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from warden_common.logstore.document import LOAD_TEST
from warden_common.logstore.port import DeploymentLife, LogQuery

LOADTEST_FIELD = LOAD_TEST
"""The load-test mark of an instance document: `{"loadTest": "<job name>"}`, absent on other traffic."""

ValueKind = Literal["numbers", "categories", "classes"]
Part = Literal["request", "response"]

MAX_HISTOGRAM_BUCKETS = 2000
"""Histogram buckets a query may ask for (value range / interval), per class and time slice."""

MAX_TIME_BUCKETS = 500
MAX_CATEGORIES = 1000
"""Distinct values of a categorical element counted (the most frequent first)."""


@dataclass(frozen=True)
class CohortCondition:
    """One condition on another element of the instance: a numeric range (`gt`, `gte`, `lt`, `lte`; for a class
    of a PROBA / ONE_HOT group give `category`) or a set of categories (`terms`, matched as text)."""

    part: Part
    name: str
    category: str | None = None
    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None
    terms: tuple[str, ...] | None = None


@dataclass(frozen=True)
class DistributionQuery:
    namespace: str
    deployment: str
    part: Part
    feature: str
    kind: ValueKind
    classes: tuple[str, ...] = ()
    """The classes of a `classes` feature, in schema order."""
    endpoint: str | None = None
    life: DeploymentLife | None = None
    start: datetime | None = None
    end: datetime | None = None
    """[start, end); both are needed for `time_buckets`."""
    cohort: tuple[CohortCondition, ...] = ()
    outlier: bool | None = None
    """True: outliers only; False: no outliers; None: either."""
    histogram_interval: float | None = None
    """Bucket width of the histograms (`numbers` and `classes`); None: no histogram."""
    time_buckets: int | None = None
    include_loadtest: bool = False

    def scope(self) -> LogQuery:
        """The instances a search with the same deployment, endpoint, life, time range and outlier flag finds."""
        return LogQuery(namespace=self.namespace, deployment=self.deployment, endpoint=self.endpoint, start=self.start,
                        end=self.end, outliers_only=self.outlier is True, life=self.life)  # fmt: skip


@dataclass
class NumberAggregate:
    """Aggregates of the numbers of one element (or one class): histogram keys are bucket lower bounds."""

    count: int = 0
    min: float | None = None
    max: float | None = None
    sum: float = 0.0
    histogram: dict[float, int] = field(default_factory=dict)

    @property
    def avg(self) -> float | None:
        return self.sum / self.count if self.count else None

    def add(self, count: int, low: float | None, high: float | None, total: float) -> None:
        """Fold in the aggregates of a subset (another histogram bucket's, say)."""
        if not count:
            return
        self.count += count
        self.sum += total
        if low is not None:
            self.min = low if self.min is None else min(self.min, low)
        if high is not None:
            self.max = high if self.max is None else max(self.max, high)


@dataclass
class Slice:
    """What a set of instances holds for the queried element."""

    instances: int = 0
    """Instances in the set, whether they hold the element or not."""
    numbers: dict[str, NumberAggregate] = field(default_factory=dict)
    """`numbers`: the element's, under the key ""; `classes`: one per class name."""
    categories: dict[str, int] = field(default_factory=dict)


@dataclass
class DistributionResult:
    overall: Slice
    time_slices: list[tuple[datetime, Slice]] = field(default_factory=list)
    """With `time_buckets`: every slice of [start, end) in order, empty ones included."""
    first: datetime | None = None
    last: datetime | None = None
    """Earliest and latest request time of the instances."""


def bucket_key(value: float, interval: float) -> float:
    """The lower bound of the histogram bucket of `value`: buckets are [k * interval, (k + 1) * interval) with
    k = floor(value / interval), as both stores compute it (OpenSearch's `histogram`, SQL's `floor`)."""
    return math.floor(value / interval) * interval


def slice_width_ms(start: datetime, end: datetime, buckets: int) -> int:
    """Width of each of `buckets` equal time slices of [start, end), in whole milliseconds (rounded up)."""
    span = round((end - start).total_seconds() * 1000)
    return max(1, -(-span // buckets))


def epoch_ms(when: datetime) -> int:
    return round(when.timestamp() * 1000)


def finish(
    query: DistributionQuery,
    overall: Slice,
    slices: dict[int, Slice],
    first: datetime | None = None,
    last: datetime | None = None,
) -> DistributionResult:
    """The result of a store's aggregates: every class listed (with or without numbers), categories cut to the
    most frequent `MAX_CATEGORIES`, every time slice present (empty ones too), in order."""
    result = DistributionResult(_tidy(query, overall), first=first, last=last)
    if query.time_buckets and query.start is not None and query.end is not None:
        width = slice_width_ms(query.start, query.end, query.time_buckets)
        for index in range(query.time_buckets):
            start = query.start + timedelta(milliseconds=index * width)
            result.time_slices.append((start, _tidy(query, slices.get(index, Slice()))))
    return result


def _tidy(query: DistributionQuery, found: Slice) -> Slice:
    if query.kind == "classes":
        found.numbers = {name: found.numbers.get(name, NumberAggregate()) for name in query.classes}
    elif query.kind == "numbers":
        found.numbers = {"": found.numbers.get("", NumberAggregate())}
    else:
        top = sorted(found.categories.items(), key=lambda item: (-item[1], item[0]))[:MAX_CATEGORIES]
        found.categories = dict(top)
    return found
