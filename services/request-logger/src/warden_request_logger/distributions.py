"""Feature distributions and statistics of one deployment's logged predictions (seldon-deploy-sdk `MonitorApi`).

The body is the SDK's `DeploymentFeatureData` (snake_case). The feature and every filter's feature are resolved
in the deployment's prediction schema (REAL -> numbers, CATEGORICAL -> category counts with the `category_map`
names, PROBA / ONE_HOT -> per-class numbers); the log store computes the aggregates (`LogStore.distribution`).
Without a registered schema an element is read as numbers if the log holds numbers for it, else as categories.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from warden_common.errors import BadRequest
from warden_common.logstore import DeploymentLife
from warden_common.logstore.distributions import (
    MAX_HISTOGRAM_BUCKETS,
    MAX_TIME_BUCKETS,
    CohortCondition,
    DistributionQuery,
    DistributionResult,
    NumberAggregate,
    ValueKind,
)
from warden_request_logger.schema import Feature, PredictionSchema

Interaction = Literal["request", "response"]
_KINDS: dict[str, ValueKind] = {
    "REAL": "numbers",
    "CATEGORICAL": "categories",
    "PROBA": "classes",
    "ONE_HOT": "classes",
}
DEFAULT_TIME_BUCKETS = 10
DEFAULT_HISTOGRAM_BUCKETS = 20


class FeatureFilterBody(BaseModel):
    """seldon-deploy-sdk `FeatureFilter`: a time range (`is_timestamp`), outliers (`is_outlier`) or a condition on
    a feature (a numeric range, a category set `terms`, a class `category_name` of a PROBA / ONE_HOT feature)."""

    model_config = ConfigDict(extra="ignore")

    feature: str | None = None
    interaction: Interaction | None = None
    category_name: str | None = None
    gt: str | float | None = None
    gte: str | float | None = None
    lt: str | float | None = None
    lte: str | float | None = None
    terms: list[str] | None = None
    is_outlier: bool | None = None
    is_timestamp: bool | None = None


class ParametersBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    histogram_interval: float | None = Field(
        None, gt=0, allow_inf_nan=False, description="Histogram bucket width (REAL and PROBA features)"
    )
    minimum_bucket_count: int | None = Field(None, ge=0, description="Leave out categories counted fewer times")
    number_of_time_buckets: int | None = Field(
        None, ge=1, le=MAX_TIME_BUCKETS, description="Time slices when not aggregate_over_time (default 10)"
    )


class FeatureDataBody(BaseModel):
    """seldon-deploy-sdk `DeploymentFeatureData`. `include_loadtest` (Warden's): count load-test traffic too."""

    model_config = ConfigDict(extra="ignore")

    feature: str = Field(min_length=1, description="A feature or output name of the prediction schema")
    interaction: Interaction | None = Field(None, description="request (features) or response (outputs)")
    filters: list[FeatureFilterBody] = []
    parameters: ParametersBody = ParametersBody()
    aggregate_over_time: bool = Field(False, description="true: one distribution; false: one per time slice")
    reference_data: bool = False
    deployment_endpoint: str | None = Field(None, description="Predictor (default / canary / shadow); default: all")
    deployment_node: str | None = Field(None, description="Graph node whose prediction schema applies")
    include_loadtest: bool = Field(False, description="Count traffic marked as sent by a load test")


@dataclass(frozen=True)
class Resolved:
    """A feature of the request: where it is logged and how it is read."""

    part: Interaction
    name: str
    kind: ValueKind
    type: str
    classes: tuple[str, ...] = ()
    categories: dict[str, str] | None = None
    """CATEGORICAL: category_map (code -> name)."""


def resolve(schema: PredictionSchema | None, name: str, interaction: Interaction | None, where: str) -> Resolved:
    """The schema's feature `name` (in `interaction`'s part if given); BadRequest naming `where` if none."""
    if schema is None:
        return Resolved(interaction or "request", name, "numbers", "REAL")  # read from the log (`_infer`)
    parts: tuple[Interaction, ...] = (interaction,) if interaction else ("request", "response")
    found = [(part, f) for part in parts for f in schema.features_for(part) if f.name == name]
    if not found:
        known = {part: [f.name for f in schema.features_for(part)] for part in parts}
        message = f"{where}: {name!r} is not a feature of the prediction schema (request: {known.get('request')}"
        raise BadRequest(f"{message}, response: {known.get('response')})", details={"field": where})
    if len(found) > 1:
        raise BadRequest(f"{where}: {name!r} is both a request feature and a response output: give `interaction`",
                         details={"field": where})  # fmt: skip
    part, feature = found[0]
    return _resolved(part, feature, where)


def _resolved(part: Interaction, feature: Feature, where: str) -> Resolved:
    kind = _KINDS.get(feature.type)
    if kind is None:
        raise BadRequest(f"{where}: {feature.name!r} is a {feature.type} feature: distributions cover REAL, "
                         "CATEGORICAL, PROBA and ONE_HOT features", details={"field": where})  # fmt: skip
    return Resolved(part, feature.name, kind, feature.type, tuple(feature.categories), feature.category_map or None)


def _number(value: str | float | None, where: str) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        raise BadRequest(f"{where}: {value!r} is not a number", details={"field": where}) from None
    if not math.isfinite(number):
        raise BadRequest(f"{where}: {value!r} is not a finite number", details={"field": where})
    return number


def _instant(value: str | float | None, where: str) -> datetime | None:
    """RFC 3339, or milliseconds since the epoch (what the Deploy UI sends)."""
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(float(value) / 1000, UTC)
    except (ValueError, OverflowError, OSError):
        pass
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"{where}: {value!r} is neither RFC 3339 nor epoch milliseconds",
                         details={"field": where}) from None  # fmt: skip
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _check_range(low: float | datetime | None, high: float | datetime | None, where: str) -> None:
    if low is not None and high is not None and low > high:  # type: ignore[operator]
        raise BadRequest(f"{where}: the range is empty (lower bound above upper bound)", details={"field": where})


@dataclass
class Plan:
    query: DistributionQuery
    feature: Resolved
    aggregate: bool
    minimum_bucket_count: int


def plan(body: FeatureDataBody, schema: PredictionSchema | None, *, namespace: str, name: str,
         life: DeploymentLife | None) -> Plan:  # fmt: skip
    """The store query of `body`; BadRequest naming the field for anything wrong."""
    if body.reference_data:
        raise BadRequest("reference_data: distributions of reference data are not supported; only logged predictions",
                         details={"field": "reference_data"})  # fmt: skip
    feature = resolve(schema, body.feature, body.interaction, "feature")
    start = end = None
    outlier: bool | None = None
    cohort: list[CohortCondition] = []
    for index, item in enumerate(body.filters):
        where = f"filters[{index}]"
        if item.is_timestamp:
            low, high = _time_bounds(item, where)
            start = max(start, low) if start and low else (start or low)
            end = min(end, high) if end and high else (end or high)
        elif item.is_outlier is not None and item.feature is None:
            outlier = item.is_outlier
        else:
            cohort.append(_condition(item, schema, where))
    if start is not None and end is not None and end <= start:
        raise BadRequest("filters: the time range is empty", details={"field": "filters"})
    parameters = body.parameters
    query = DistributionQuery(
        namespace=namespace, deployment=name, part=feature.part, feature=feature.name, kind=feature.kind,
        classes=feature.classes, endpoint=body.deployment_endpoint, life=life, start=start, end=end,
        cohort=tuple(cohort), outlier=outlier, histogram_interval=parameters.histogram_interval,
        time_buckets=None if body.aggregate_over_time else (parameters.number_of_time_buckets or DEFAULT_TIME_BUCKETS),
        include_loadtest=body.include_loadtest,
    )  # fmt: skip
    return Plan(query, feature, body.aggregate_over_time, parameters.minimum_bucket_count or 0)


_ONE_MS = timedelta(milliseconds=1)


def _time_bounds(item: FeatureFilterBody, where: str) -> tuple[datetime | None, datetime | None]:
    """[low, high) of a timestamp filter (timestamps are logged to the millisecond)."""
    low = _instant(item.gte, f"{where}.gte")
    if low is None and (after := _instant(item.gt, f"{where}.gt")) is not None:
        low = after + _ONE_MS
    high = _instant(item.lt, f"{where}.lt")
    if high is None and (until := _instant(item.lte, f"{where}.lte")) is not None:
        high = until + _ONE_MS
    if low is not None and high is not None and high <= low:
        raise BadRequest(f"{where}: the time range is empty", details={"field": where})
    return low, high


def _condition(item: FeatureFilterBody, schema: PredictionSchema | None, where: str) -> CohortCondition:
    if not item.feature:
        raise BadRequest(f"{where}.feature: a filter needs a feature (or is_timestamp / is_outlier)",
                         details={"field": f"{where}.feature"})  # fmt: skip
    feature = resolve(schema, item.feature, item.interaction, f"{where}.feature")
    bounds = {op: _number(getattr(item, op), f"{where}.{op}") for op in ("gt", "gte", "lt", "lte")}
    _check_range(bounds["gte"] if bounds["gte"] is not None else bounds["gt"],
                 bounds["lte"] if bounds["lte"] is not None else bounds["lt"], where)  # fmt: skip
    category = item.category_name
    if feature.kind == "classes":
        if category is None or (feature.classes and category not in feature.classes):
            raise BadRequest(f"{where}.category_name: {feature.name!r} is {feature.type}: name one of its classes "
                             f"{list(feature.classes)}", details={"field": f"{where}.category_name"})  # fmt: skip
    elif category is not None:
        category = None  # only groups have classes: a stray name is ignored, as the SDK may send one
    terms = None
    if item.terms is not None:
        if feature.kind != "categories" and schema is not None:
            raise BadRequest(f"{where}.terms: {feature.name!r} is {feature.type}: terms filter CATEGORICAL features",
                             details={"field": f"{where}.terms"})  # fmt: skip
        terms = tuple(_category_name(feature, term, f"{where}.terms") for term in item.terms)
    elif feature.kind == "categories" and schema is not None:
        raise BadRequest(f"{where}.terms: {feature.name!r} is CATEGORICAL: give the categories to keep as terms",
                         details={"field": f"{where}.terms"})  # fmt: skip
    return CohortCondition(feature.part, feature.name, category, terms=terms, **bounds)


def _category_name(feature: Resolved, term: str, where: str) -> str:
    """A category name, or a code of the category map (-> its name); BadRequest for neither."""
    if not feature.categories:
        return term
    names = set(feature.categories.values())
    if term in names:
        return term
    if term in feature.categories:
        return feature.categories[term]
    raise BadRequest(f"{where}: {term!r} is not a category of {feature.name!r} ({sorted(names)})",
                     details={"field": where})  # fmt: skip


def needs_first_pass(query: DistributionQuery) -> bool:
    """A stats-only query first: for a default histogram interval, or the time range of time slices."""
    no_interval = query.kind != "categories" and query.histogram_interval is None
    return no_interval or (query.time_buckets is not None and (query.start is None or query.end is None))


def complete(query: DistributionQuery, first: DistributionResult) -> DistributionQuery:
    """`query` with the interval and time range the first pass' aggregates suggest."""
    interval = query.histogram_interval
    if query.kind == "classes" and interval is None:
        interval = 0.1
    elif query.kind == "numbers" and interval is None:
        numbers = first.overall.numbers.get("", NumberAggregate())
        span = (numbers.max or 0.0) - (numbers.min or 0.0)
        interval = _nice(span / DEFAULT_HISTOGRAM_BUCKETS) if span > 0 else 1.0
    start, end = query.start, query.end
    if query.time_buckets is not None:
        if start is None:
            start = first.first or end or datetime.now(UTC)
        if end is None:
            end = (first.last or start) + _ONE_MS
        if end <= start:
            end = start + _ONE_MS
    return replace(query, histogram_interval=interval, start=start, end=end)


def _nice(width: float) -> float:
    """1, 2 or 5 times a power of ten, at least `width`."""
    power = 10.0 ** math.floor(math.log10(width))
    for step in (1.0, 2.0, 5.0):
        if step * power >= width:
            return step * power
    return 10.0 * power


def check_buckets(query: DistributionQuery, result: DistributionResult) -> None:
    interval = query.histogram_interval
    for numbers in result.overall.numbers.values():
        if (
            interval
            and numbers.min is not None
            and numbers.max is not None
            and ((numbers.max - numbers.min) / interval > MAX_HISTOGRAM_BUCKETS)
        ):
            raise BadRequest(f"parameters.histogram_interval: {query.histogram_interval} makes more than "
                             f"{MAX_HISTOGRAM_BUCKETS} buckets over the values' range: choose a larger interval",
                             details={"field": "parameters.histogram_interval"})  # fmt: skip


# -- the whole query --


class Monitor(Protocol):
    """What answering needs of the logger's core (`RequestLoggerService`)."""

    async def prediction_schema(
        self, namespace: str, name: str, endpoint: str, node: str
    ) -> PredictionSchema | None: ...

    async def distribution(self, query: DistributionQuery) -> DistributionResult: ...


async def _logged_kind(monitor: Monitor, query: DistributionQuery, name: str) -> ValueKind | None:
    """How the deployment's log holds element `name` (anywhere in its log): numbers, categories or not at all."""
    anywhere = replace(query, cohort=(), start=None, end=None, histogram_interval=None, time_buckets=None,
                       outlier=None, include_loadtest=True)  # fmt: skip
    if (await monitor.distribution(replace(anywhere, kind="numbers"))).overall.numbers[""].count:
        return "numbers"
    if (await monitor.distribution(replace(anywhere, kind="categories"))).overall.categories:
        return "categories"
    return None


async def compute(monitor: Monitor, body: FeatureDataBody, *, namespace: str, name: str,
                  life: DeploymentLife | None) -> tuple[Plan, DistributionResult]:  # fmt: skip
    """Resolve `body` against the deployment's prediction schema and let the store aggregate (a stats-only first
    pass when the histogram interval or the time range of the slices has to be worked out)."""
    schema = await monitor.prediction_schema(namespace, name, body.deployment_endpoint or "default",
                                             body.deployment_node or "")  # fmt: skip
    planned = plan(body, schema, namespace=namespace, name=name, life=life)
    query = planned.query
    if schema is None:  # no schema: numbers if the log holds numbers for the element, else categories
        kind = await _logged_kind(monitor, query, query.feature)
        if kind is None:
            raise BadRequest(f"feature: {body.feature!r} is not logged for {namespace}/{name} (no prediction schema "
                             "is registered, so features are the logged payloads' names)",
                             details={"field": "feature"})  # fmt: skip
        if kind == "categories":
            planned.feature = replace(planned.feature, kind="categories", type="CATEGORICAL")
            query = replace(query, kind="categories")
    if needs_first_pass(query):
        query = complete(query, await monitor.distribution(replace(query, histogram_interval=None, time_buckets=None)))
    planned.query = query
    result = await monitor.distribution(query)
    check_buckets(query, result)
    return planned, result
