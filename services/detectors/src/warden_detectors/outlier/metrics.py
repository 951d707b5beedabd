"""Prometheus gauges of outlier detectors, under the names the alibi-detect server used (protocols.md §5)."""

from __future__ import annotations

from prometheus_client import Gauge

LABELS = ("namespace", "deployment", "endpoint", "detector")

IS_OUTLIER = Gauge(
    "seldon_metric_outlier_is_outlier", "1 if the latest instance scored was an outlier, else 0.", LABELS
)
INSTANCE_SCORE = Gauge("seldon_metric_outlier_instance_score", "Outlier score of the latest instance scored.", LABELS)


_series: set[tuple[str, str, str, str]] = set()
"""The label sets recorded, so `forget` removes exactly a deleted detector's series."""


def record(labels: tuple[str, str, str, str], is_outlier: int, score: float) -> None:
    IS_OUTLIER.labels(*labels).set(is_outlier)
    INSTANCE_SCORE.labels(*labels).set(score)
    _series.add(labels)


def forget(*, namespace: str, deployment: str, detector: str) -> None:
    """Remove a deleted detector's series (every endpoint), so dashboards do not show its last score forever."""
    for labels in [s for s in _series if (s[0], s[1], s[3]) == (namespace, deployment, detector)]:
        _series.discard(labels)
        IS_OUTLIER.remove(*labels)
        INSTANCE_SCORE.remove(*labels)
