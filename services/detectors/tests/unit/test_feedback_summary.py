"""Ratios from summed counts (micro overall, macro, null on zero division) and the Prometheus counters."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY

from warden_detectors.feedback import ClassCount, ClassCounts, metrics
from warden_detectors.feedback.summary import Ratios, summarize


def test_ratios_per_class_micro_and_macro() -> None:
    # 10 rows of 3 classes: truth/prediction pairs give these one-vs-rest sums (TN = 10 - the rest).
    summary = summarize(10, 7, [("CLASS_10", 0, 0, 0), ("CLASS_2", 2, 1, 2), ("CLASS_1", 5, 2, 1)])
    assert [c.label for c in summary.classes] == ["CLASS_1", "CLASS_2", "CLASS_10"]
    one, two, ten = summary.classes
    assert (one.tp, one.fp, one.tn, one.fn) == (5, 2, 2, 1)
    assert one.ratios == Ratios(accuracy=0.7, precision=5 / 7, recall=5 / 6, specificity=0.5, f1=10 / 13)
    assert two.ratios == Ratios(accuracy=0.7, precision=2 / 3, recall=0.5, specificity=5 / 6, f1=4 / 7)
    # A class with nothing but true negatives: precision, recall and F1 divide by zero -> None, not NaN.
    assert ten.ratios == Ratios(accuracy=1.0, precision=None, recall=None, specificity=1.0, f1=None)
    overall = summary.overall
    assert (overall.tp, overall.fp, overall.tn, overall.fn) == (7, 3, 17, 3)
    assert overall.ratios.accuracy == 0.7  # correct / rows, not pooled (TP+TN)/all
    assert overall.ratios.precision == 0.7 and overall.ratios.recall == 0.7
    assert summary.macro.precision == pytest.approx((5 / 7 + 2 / 3) / 2)  # over the classes where defined
    assert summary.macro.specificity == pytest.approx((0.5 + 5 / 6 + 1.0) / 3)


def test_nothing_counted_is_all_null() -> None:
    summary = summarize(0, 0, [])
    assert summary.rows == 0 and summary.classes == []
    assert summary.overall.ratios == Ratios(None, None, None, None, None)
    assert summary.macro == Ratios(None, None, None, None, None)


def _sample(name: str, detector: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, {"namespace": "seldon", "deployment": "iris", "endpoint": "default",
                                            "detector": detector, **labels})  # fmt: skip


def test_prometheus_counters_per_class_and_forget() -> None:
    counts = ClassCounts(
        rows=3, correct=1, classes={"CLASS_0": ClassCount(tp=1, fn=2), "CLASS_1": ClassCount(fp=2, tn=1)}
    )
    for _ in range(2):
        metrics.record(counts, namespace="seldon", deployment="iris", endpoint="default", detector="prom-test")
    assert _sample("seldon_metric_true_positive_total", "prom-test", **{"class": "CLASS_0"}) == 2
    assert _sample("seldon_metric_false_negative_total", "prom-test", **{"class": "CLASS_0"}) == 4
    assert _sample("seldon_metric_false_positive_total", "prom-test", **{"class": "CLASS_1"}) == 4
    assert _sample("seldon_metric_true_negative_total", "prom-test", **{"class": "CLASS_1"}) == 2
    assert _sample("seldon_metric_true_positive_total", "prom-test", **{"class": "CLASS_1"}) == 0  # exists, at 0
    assert _sample("seldon_metric_feedback_rows_total", "prom-test") == 6
    assert _sample("seldon_metric_feedback_correct_total", "prom-test") == 2
    metrics.forget(namespace="seldon", deployment="iris", endpoint="default", detector="prom-test")
    assert _sample("seldon_metric_true_positive_total", "prom-test", **{"class": "CLASS_0"}) is None
    assert _sample("seldon_metric_feedback_rows_total", "prom-test") is None
    metrics.forget(namespace="seldon", deployment="iris", endpoint="default", detector="prom-test")  # twice: no-op
