"""The drift gauges in the default Prometheus registry (what every service's /metrics serves)."""

from __future__ import annotations

from datetime import UTC, datetime

from prometheus_client import REGISTRY, generate_latest

from warden_detectors.drift import DriftResult
from warden_detectors.drift.metrics import forget, record

T0 = datetime(2026, 1, 1, tzinfo=UTC)
WHERE = {"namespace": "seldon", "deployment": "income", "endpoint": "default"}


def _value(name: str, detector: str, feature: str) -> float | None:
    return REGISTRY.get_sample_value(name, {**WHERE, "detector": detector, "feature": feature})


def test_feature_wise_window_sets_window_and_feature_series() -> None:
    result = DriftResult(
        detector="gauges-fw", algorithm="KSDrift", drift_type="feature", window_start=T0, window_end=T0, rows=100,
        is_drift=True, p_val=[0.5, 0.001], distance=[0.05, 0.4], threshold=0.025, feature_is_drift=[False, True],
        feature_threshold=0.05, feature_names=["Age", "Sex"],
    )  # fmt: skip
    record(result, **WHERE)
    assert _value("seldon_metric_drift_is_drift", "gauges-fw", "") == 1.0
    assert _value("seldon_metric_drift_threshold", "gauges-fw", "") == 0.025
    assert _value("seldon_metric_drift_p_val", "gauges-fw", "Sex") == 0.001
    assert _value("seldon_metric_drift_distance", "gauges-fw", "Age") == 0.05
    assert _value("seldon_metric_drift_is_drift", "gauges-fw", "Sex") == 1.0
    assert _value("seldon_metric_drift_threshold", "gauges-fw", "Age") == 0.05
    assert b'seldon_metric_drift_p_val{deployment="income",detector="gauges-fw"' in generate_latest()
    forget(detector="gauges-fw", **WHERE)
    assert _value("seldon_metric_drift_p_val", "gauges-fw", "Sex") is None
    assert _value("seldon_metric_drift_is_drift", "gauges-fw", "") is None


def test_batch_window_without_names_uses_column_indexes_and_skips_change_nothing() -> None:
    tested = DriftResult(
        detector="gauges-b", algorithm="KSDrift", drift_type="batch", window_start=T0, window_end=T0, rows=10,
        is_drift=False, p_val=[0.3, 0.7], distance=[0.1, 0.2], threshold=0.025,
    )  # fmt: skip
    record(tested, **WHERE)
    assert _value("seldon_metric_drift_is_drift", "gauges-b", "") == 0.0
    assert _value("seldon_metric_drift_p_val", "gauges-b", "1") == 0.7
    assert _value("seldon_metric_drift_is_drift", "gauges-b", "1") is None  # no per-feature answer in batch mode
    skipped = DriftResult(
        detector="gauges-b", algorithm="KSDrift", drift_type="batch", window_start=T0, window_end=T0, rows=1,
        skipped="too few rows",
    )  # fmt: skip
    record(skipped, **WHERE)
    assert _value("seldon_metric_drift_p_val", "gauges-b", "1") == 0.7
    forget(detector="gauges-b", **WHERE)
