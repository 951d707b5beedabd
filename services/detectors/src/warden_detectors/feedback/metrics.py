"""Prometheus counters of the metrics servers (the names the alibi-detect server's metrics used).

In prometheus_client's default registry, which every service's `/metrics` serves (`warden_common.observability`);
a counter is exposed with the `_total` suffix (`seldon_metric_true_positive_total`), as Seldon's were. Labels:
`namespace`, `deployment`, `endpoint` (predictor), `detector`, `class` (`CLASS_<n>`). Beside the four confusion
counters, `seldon_metric_feedback_rows` and `seldon_metric_feedback_correct` count rows and rows predicted right,
so accuracy over any range is one PromQL division (`increase(correct) / increase(rows)`); no process-local gauge
of accuracy is kept, since it would restart from nothing with the process.
"""

from __future__ import annotations

from prometheus_client import Counter

from warden_detectors.feedback.counting import ClassCounts

_LABELS = ("namespace", "deployment", "endpoint", "detector")
_CLASS_LABELS = ("namespace", "deployment", "endpoint", "detector", "class")

TRUE_POSITIVE = Counter("seldon_metric_true_positive", "Feedback rows: true positives of the class", _CLASS_LABELS)
FALSE_POSITIVE = Counter("seldon_metric_false_positive", "Feedback rows: false positives of the class", _CLASS_LABELS)
TRUE_NEGATIVE = Counter("seldon_metric_true_negative", "Feedback rows: true negatives of the class", _CLASS_LABELS)
FALSE_NEGATIVE = Counter("seldon_metric_false_negative", "Feedback rows: false negatives of the class", _CLASS_LABELS)
FEEDBACK_ROWS = Counter("seldon_metric_feedback_rows", "Feedback rows counted by the metrics server", _LABELS)
FEEDBACK_CORRECT = Counter("seldon_metric_feedback_correct", "Feedback rows whose prediction was the truth", _LABELS)

_CONFUSION = (("tp", TRUE_POSITIVE), ("fp", FALSE_POSITIVE), ("tn", TRUE_NEGATIVE), ("fn", FALSE_NEGATIVE))

_series: dict[tuple[str, str, str, str], set[str]] = {}
"""The classes each metrics server has counted, so `forget` removes exactly its series."""


def record(counts: ClassCounts, *, namespace: str, deployment: str, endpoint: str, detector: str) -> None:
    """Count one feedback. Every class of `counts` gets all four series (a zero increment creates the series,
    so dashboards show 0 rather than no data for a class never predicted)."""
    key = (namespace, deployment, endpoint, detector)
    seen = _series.setdefault(key, set())
    for label, count in counts.classes.items():
        for field, counter in _CONFUSION:
            counter.labels(*key, label).inc(getattr(count, field))
        seen.add(label)
    FEEDBACK_ROWS.labels(*key).inc(counts.rows)
    FEEDBACK_CORRECT.labels(*key).inc(counts.correct)


def forget(*, namespace: str, deployment: str, detector: str, endpoint: str | None = None) -> None:
    """Remove a deleted metrics server's series (of every endpoint, or of `endpoint`)."""
    for key in [k for k in _series if k[:2] == (namespace, deployment) and k[3] == detector]:
        if endpoint is None or key[2] == endpoint:
            for label in _series.pop(key):
                for _, counter in _CONFUSION:
                    counter.remove(*key, label)
            FEEDBACK_ROWS.remove(*key)
            FEEDBACK_CORRECT.remove(*key)
