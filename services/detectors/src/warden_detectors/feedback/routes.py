"""`GET {base}/monitor/metrics-server/{detectorName}/metrics`: a metrics server's counts and ratios over a range.

`start` (inclusive) and `end` (exclusive), RFC 3339 (naive times are UTC), select the store's time buckets by their
start (one minute by default); without them, all time. The answer has the summed TP/FP/TN/FN and accuracy,
precision, recall, specificity and F1 per class, `overall` (micro average; accuracy = correct rows / rows) and
`macro`; a ratio with a zero denominator is null. The store is `app.state.feedback_metrics` (a
`FeedbackMetricsStore`, set by the service's lifespan).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import Field

from warden_common.service_app import app_state
from warden_detectors.configs.model import DetectorKey
from warden_detectors.feedback.store import FeedbackMetricsStore
from warden_detectors.feedback.summary import ClassMetrics, MetricsSummary, Ratios
from warden_detectors.results_api import CamelModel, TimeRange, add_result_routes, deployment_kind


class RatiosView(CamelModel):
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


class MetricsView(CamelModel):
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


def _example_counts(tp: int, fp: int, tn: int, fn: int) -> dict[str, Any]:
    rows = tp + fp + tn + fn
    return {"truePositive": tp, "falsePositive": fp, "trueNegative": tn, "falseNegative": fn,
            "accuracy": round((tp + tn) / rows, 4), "precision": round(tp / (tp + fp), 4),
            "recall": round(tp / (tp + fn), 4), "specificity": round(tn / (tn + fp), 4),
            "f1": round(2 * tp / (2 * tp + fp + fn), 4)}  # fmt: skip


METRICS_EXAMPLE: dict[str, Any] = {
    "start": "2026-03-01T09:00:00Z", "end": "2026-03-01T10:00:00Z", "resolutionSeconds": 60,
    "rows": 100, "correct": 90,
    "overall": {**_example_counts(90, 10, 190, 10), "accuracy": 0.9, "average": "micro"},
    "macro": {"accuracy": 0.9333, "precision": 0.9, "recall": 0.9, "specificity": 0.95, "f1": 0.9},
    "classes": [
        {"class": "CLASS_0", **_example_counts(30, 3, 64, 3)},
        {"class": "CLASS_1", **_example_counts(30, 4, 63, 3)},
        {"class": "CLASS_2", **_example_counts(30, 3, 63, 4)},
    ],
}  # fmt: skip


async def _metrics(request: Request, key: DetectorKey, query: TimeRange) -> MetricsView:
    store: FeedbackMetricsStore = app_state(request, "feedback_metrics", "feedback metrics are")
    d = key.deployment
    summary = await store.summary(d.namespace, deployment_kind(key), d.name, key.name, query.start, query.end)
    return metrics_view(summary, store.bucket_seconds)


router = APIRouter(tags=["metrics servers"])
add_result_routes(
    router, kind="metrics", tail="metrics", read=_metrics, query=TimeRange, response_model=MetricsView,
    example=METRICS_EXAMPLE, name="feedback_metrics",
    summary="Accuracy metrics of one metrics server: counts and ratios per class and overall",
)  # fmt: skip
