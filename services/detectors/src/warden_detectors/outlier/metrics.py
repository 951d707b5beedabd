"""Prometheus gauges of outlier detectors, under the names the alibi-detect server used (protocols.md §5)."""

from __future__ import annotations

from prometheus_client import Gauge

LABELS = ("namespace", "deployment", "endpoint", "detector")

IS_OUTLIER = Gauge(
    "seldon_metric_outlier_is_outlier", "1 if the latest instance scored was an outlier, else 0.", LABELS
)
INSTANCE_SCORE = Gauge("seldon_metric_outlier_instance_score", "Outlier score of the latest instance scored.", LABELS)


def record(labels: tuple[str, str, str, str], is_outlier: int, score: float) -> None:
    IS_OUTLIER.labels(*labels).set(is_outlier)
    INSTANCE_SCORE.labels(*labels).set(score)
