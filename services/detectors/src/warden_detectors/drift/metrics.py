"""Prometheus gauges of the last tested window of each drift detector (the names the alibi-detect server used).

They live in prometheus_client's default registry, which every service's `/metrics` serves. Labels: `namespace`,
`deployment`, `endpoint` (predictor), `detector`, and `feature`: the feature's name (or column index when the
config gives no names) for per-feature values, empty for the window's own answer and threshold.
"""

from __future__ import annotations

from prometheus_client import Gauge

from warden_detectors.drift.result import DriftResult

_LABELS = ("namespace", "deployment", "endpoint", "detector", "feature")
WINDOW = ""
"""The `feature` label of values about the whole window."""

IS_DRIFT = Gauge("seldon_metric_drift_is_drift", "1 when the last tested window drifted, else 0", _LABELS)
P_VAL = Gauge("seldon_metric_drift_p_val", "p-value of the last tested window's drift test", _LABELS)
DISTANCE = Gauge("seldon_metric_drift_distance", "Test statistic of the last tested window", _LABELS)
THRESHOLD = Gauge("seldon_metric_drift_threshold", "p-value threshold of the drift answer", _LABELS)
_GAUGES = (IS_DRIFT, P_VAL, DISTANCE, THRESHOLD)

_series: dict[tuple[str, str, str, str], set[tuple[Gauge, str]]] = {}
"""Which (gauge, feature) series each detector has set, so `forget` removes exactly those."""


def record(result: DriftResult, *, namespace: str, deployment: str, endpoint: str) -> None:
    """Set the gauges from a tested window (a skipped window changes nothing: there is no new answer)."""
    if not result.tested:
        return
    key = (namespace, deployment, endpoint, result.detector)
    seen = _series.setdefault(key, set())

    def put(gauge: Gauge, feature: str, value: float | None) -> None:
        if value is None:
            return
        gauge.labels(*key, feature).set(value)
        seen.add((gauge, feature))

    put(IS_DRIFT, WINDOW, float(bool(result.is_drift)))
    if not isinstance(result.threshold, list):  # FDR without a discovery has candidate thresholds, not one
        put(THRESHOLD, WINDOW, result.threshold)
    if isinstance(result.p_val, float):
        put(P_VAL, WINDOW, result.p_val)
    if isinstance(result.distance, float):
        put(DISTANCE, WINDOW, result.distance)
    for entry in result.per_feature():
        feature = entry["name"] if entry["name"] is not None else str(entry["index"])
        put(P_VAL, feature, entry["p_val"])
        put(DISTANCE, feature, entry["distance"])
        if "is_drift" in entry:
            put(IS_DRIFT, feature, float(entry["is_drift"]))
            put(THRESHOLD, feature, result.feature_threshold)


def forget(*, namespace: str, deployment: str, detector: str, endpoint: str | None = None) -> None:
    """Remove a deleted detector's series (of every endpoint, or of `endpoint`), so dashboards do not show its
    last values forever."""
    for key in [k for k in _series if k[:2] == (namespace, deployment) and k[3] == detector]:
        if endpoint is None or key[2] == endpoint:
            for gauge, feature in _series.pop(key):
                gauge.remove(*key, feature)
