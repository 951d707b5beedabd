"""Accuracy, precision, recall, specificity and F1 from summed counts (pure; the sums come from SQL).

Per class (one-vs-rest): accuracy (TP+TN)/rows, precision TP/(TP+FP), recall TP/(TP+FN), specificity
TN/(TN+FP), F1 2TP/(2TP+FP+FN). A ratio whose denominator is 0 is None (JSON null), never NaN.

Overall is the **micro** average: the classes' TP, FP, TN and FN are pooled and the ratios taken over the pooled
counts, except accuracy, which is the fraction of feedback rows predicted right (correct / rows) - for a
single-label multiclass model that equals micro precision, recall and F1. The **macro** average (each class's
ratio, averaged with equal weight over the classes where it is defined) is given beside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Ratios:
    accuracy: float | None
    precision: float | None
    recall: float | None
    specificity: float | None
    f1: float | None


@dataclass(frozen=True, slots=True)
class ClassMetrics:
    """The counts of one class over the range (or the pooled counts, for overall) and their ratios."""

    label: str
    tp: int
    fp: int
    tn: int
    fn: int
    ratios: Ratios


@dataclass(frozen=True, slots=True)
class MetricsSummary:
    start: datetime | None
    end: datetime | None
    rows: int
    """Feedback rows counted in the range (each instance of a batch feedback is a row)."""
    correct: int
    overall: ClassMetrics
    """Micro average (pooled counts); its accuracy is correct / rows."""
    macro: Ratios
    classes: list[ClassMetrics]


def ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def class_ratios(tp: int, fp: int, tn: int, fn: int, *, accuracy: float | None = None) -> Ratios:
    return Ratios(
        accuracy=accuracy if accuracy is not None else ratio(tp + tn, tp + fp + tn + fn),
        precision=ratio(tp, tp + fp),
        recall=ratio(tp, tp + fn),
        specificity=ratio(tn, tn + fp),
        f1=ratio(2 * tp, 2 * tp + fp + fn),
    )


def summarize(
    rows: int,
    correct: int,
    class_sums: Iterable[tuple[str, int, int, int]],
    *,
    start: datetime | None = None,
    end: datetime | None = None,
) -> MetricsSummary:
    """The summary of `rows` feedback rows given each class's summed (label, TP, FP, FN); TN = rows - the rest."""
    classes = [
        ClassMetrics(label, tp, fp, rows - tp - fp - fn, fn, class_ratios(tp, fp, rows - tp - fp - fn, fn))
        for label, tp, fp, fn in sorted(class_sums, key=lambda sums: _label_order(sums[0]))
    ]
    tp, fp, tn, fn = (sum(getattr(c, field) for c in classes) for field in ("tp", "fp", "tn", "fn"))
    overall = ClassMetrics("overall", tp, fp, tn, fn, class_ratios(tp, fp, tn, fn, accuracy=ratio(correct, rows)))
    per_class = [c.ratios for c in classes]
    macro = Ratios(**{f.name: _mean(getattr(r, f.name) for r in per_class) for f in fields(Ratios)})
    return MetricsSummary(start, end, rows, correct, overall, macro, classes)


def _mean(values: Iterable[float | None]) -> float | None:
    defined = [v for v in values if v is not None]
    return sum(defined) / len(defined) if defined else None


_NUMBERED = re.compile(r"^CLASS_(\d+)$")


def _label_order(label: str) -> tuple[int, int, str]:
    """CLASS_2 before CLASS_10; any other label after the numbered ones, by name."""
    match = _NUMBERED.match(label)
    return (0, int(match[1]), "") if match else (1, 0, label)
