"""`GET {base}/monitor/metrics-server/{detectorName}/metrics`: a metrics server's counts and ratios over a range.

`start` (inclusive) and `end` (exclusive), RFC 3339 (naive times are UTC), select the store's time buckets by their
start (one minute by default); without them, all time. The answer has the summed TP/FP/TN/FN and accuracy,
precision, recall, specificity and F1 per class, `overall` (micro average; accuracy = correct rows / rows) and
`macro`; a ratio with a zero denominator is null. The store is `app.state.feedback_metrics` (a
`FeedbackMetricsStore`, set by the service's lifespan).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from warden_common.api_docs import error_responses
from warden_common.errors import BadRequest, ServiceUnavailable
from warden_common.events.deployments import DeploymentKind
from warden_common.names import (
    InferenceServiceName,
    NamespaceName,
    SeldonDeploymentName,
    dns1123_label_problem,
    with_param_types,
)
from warden_detectors.feedback.store import FeedbackMetricsStore
from warden_detectors.feedback.summary import ClassMetrics, MetricsSummary, Ratios


def _detector_name(value: str) -> str:
    problem = dns1123_label_problem(value)
    if problem is not None:
        raise PydanticCustomError("detector_name", problem)
    return value


DetectorName = Annotated[
    str,
    Path(alias="detectorName", description="Metrics server name: a DNS-1123 label (lower case letters, digits, '-')."),
    AfterValidator(_detector_name),
]


class _Camel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, serialize_by_alias=True)


class RatiosView(_Camel):
    accuracy: float | None = Field(description="(TP+TN) / rows; overall: correct rows / rows")
    precision: float | None = Field(description="TP / (TP+FP)")
    recall: float | None = Field(description="TP / (TP+FN)")
    specificity: float | None = Field(description="TN / (TN+FP)")
    f1: float | None = Field(description="2TP / (2TP+FP+FN)")


class CountsView(RatiosView):
    true_positive: int
    false_positive: int
    true_negative: int
    false_negative: int


class ClassView(CountsView):
    class_label: str = Field(alias="class", description="`CLASS_<n>`; binary metrics servers count class 1 only")


class OverallView(CountsView):
    average: Literal["micro"] = Field("micro", description="Counts pooled over the classes")


class MetricsView(_Camel):
    start: datetime | None
    end: datetime | None
    resolution_seconds: int = Field(description="Counts are kept per bucket of this many seconds")
    rows: int = Field(description="Feedback rows counted (each instance of a batch feedback is a row)")
    correct: int = Field(description="Rows whose prediction was the truth")
    overall: OverallView
    macro: RatiosView = Field(description="Each ratio averaged over the classes where it is defined")
    classes: list[ClassView]


def _ratios(ratios: Ratios) -> dict[str, float | None]:
    return {"accuracy": ratios.accuracy, "precision": ratios.precision, "recall": ratios.recall,
            "specificity": ratios.specificity, "f1": ratios.f1}  # fmt: skip


def _counts(metrics: ClassMetrics) -> dict[str, Any]:
    return {"true_positive": metrics.tp, "false_positive": metrics.fp, "true_negative": metrics.tn,
            "false_negative": metrics.fn, **_ratios(metrics.ratios)}  # fmt: skip


def metrics_view(summary: MetricsSummary, resolution_seconds: int) -> MetricsView:
    return MetricsView(
        start=summary.start,
        end=summary.end,
        resolution_seconds=resolution_seconds,
        rows=summary.rows,
        correct=summary.correct,
        overall=OverallView(**_counts(summary.overall)),
        macro=RatiosView(**_ratios(summary.macro)),
        classes=[ClassView(class_label=c.label, **_counts(c)) for c in summary.classes],
    )


def _store(request: Request) -> FeedbackMetricsStore:
    store: FeedbackMetricsStore | None = getattr(request.app.state, "feedback_metrics", None)
    if store is None:
        raise ServiceUnavailable("the detectors service is starting: feedback metrics are not available yet")
    return store


Store = Annotated[FeedbackMetricsStore, Depends(_store)]


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


class RangeQuery:
    def __init__(
        self,
        start: Annotated[datetime | None, Query(description="From this time (RFC 3339), inclusive")] = None,
        end: Annotated[datetime | None, Query(description="Until this time (RFC 3339), exclusive")] = None,
    ) -> None:
        self.start, self.end = _utc(start), _utc(end)
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise BadRequest("end must be after start", details={"param": "end"})


RangeParams = Annotated[RangeQuery, Depends()]

router = APIRouter(prefix="/api/v1alpha1", tags=["metrics servers"], responses=error_responses(400, 503))

_KINDS: dict[str, tuple[DeploymentKind, Any]] = {
    "seldondeployments": ("SeldonDeployment", SeldonDeploymentName),
    "inferenceservices": ("InferenceService", InferenceServiceName),
}


def _metrics_route(kind: DeploymentKind) -> Any:
    async def metrics(
        store: Store, namespace: NamespaceName, name: str, detector_name: DetectorName, query: RangeParams
    ) -> MetricsView:
        summary = await store.summary(namespace, kind, name, detector_name, query.start, query.end)
        return metrics_view(summary, store.bucket_seconds)

    return metrics


for _plural, (_kind, _name_type) in _KINDS.items():
    router.add_api_route(
        f"/namespaces/{{namespace}}/{_plural}/{{name}}/monitor/metrics-server/{{detectorName}}/metrics",
        with_param_types(_metrics_route(_kind), name=_name_type),
        methods=["GET"],
        response_model=MetricsView,
        summary=f"Accuracy metrics of one metrics server ({_plural}): counts and ratios per class and overall",
        name=f"{_plural}_feedback_metrics",
    )
