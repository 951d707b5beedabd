"""Feedback -> per-class TP/FP/TN/FN: the pure core of a metrics server (numpy, no I/O).

Every row of a feedback counts (batch feedback is one row per instance). Counts are one-vs-rest: for each class
`c`, a row whose truth is `c` and prediction is `c` is a true positive of `c`, truth `c` predicted otherwise a
false negative of `c`, predicted `c` with another truth a false positive of `c`, and any other row a true negative
of `c`. So a correct row is a TP of its class and a TN of every other class; a wrong row is a FN of the true class,
a FP of the predicted class and a TN of the rest. (The alibi-detect server counted only the first row, and counted
a correct row as a TN of its own class too; it did not count the other classes.)

Binary: only class 1 (the positive class) is counted, as Seldon's BinaryMetrics did: TP, FP, TN, FN of class 1
are the usual binary confusion counts. Class labels are `CLASS_<n>`, the label values the original metrics used.

Shapes, as the runtime passes them (one row per instance, e.g. `[[1], [0]]`, or a flat list of values):
- binary: truth 0/1 values (or two-column one-hot rows); prediction one value per row, a probability or 0/1
  label thresholded at `spec.threshold`, or two-column `[P(0), P(1)]` rows, argmax-ed (ties: class 0).
- multiclass_numeric: one non-negative integer class number per row, truth and prediction.
- multiclass_onehot: rows of one-hot values or probabilities, argmax-ed (ties: the lowest class); a flat list is
  one row. Truth and prediction rows must have the same width.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from warden_detectors.feedback.errors import FeedbackError
from warden_detectors.feedback.messages import rows_of
from warden_detectors.feedback.spec import MAX_CLASSES, MetricsSpec

Labels = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class ClassCount:
    """One-vs-rest confusion counts of one class."""

    tp: int = 0
    fp: int = 0
    tn: int = 0
    fn: int = 0


@dataclass(frozen=True, slots=True)
class ClassCounts:
    """The counts of one feedback: `rows` counted, `correct` of them (prediction == truth), and per class label."""

    rows: int
    correct: int
    classes: Mapping[str, ClassCount]


def class_label(number: int) -> str:
    return f"CLASS_{number}"


POSITIVE = 1
"""The class a binary metrics server counts."""


class FeedbackMetricsServer:
    """One configured metrics server: counts the rows of each feedback it is given."""

    def __init__(self, spec: MetricsSpec, name: str) -> None:
        self.spec = spec
        self.name = name

    def counts(self, truth: Any, prediction: Any) -> ClassCounts:
        """Per-class TP/FP/TN/FN of one feedback; `FeedbackError` naming what does not fit the model type.

        `truth` and `prediction`: rows (lists, numpy arrays) or whole messages (a feedback's `truth` / `response`,
        e.g. `{"data": {"ndarray": [[1]]}}`), read by `messages.rows_of`."""
        model = self.spec.model_type
        truth, prediction = rows_of(truth, "truth"), rows_of(prediction, "prediction")
        if model == "binary":
            true, predicted = self._binary(truth, "truth"), self._binary(prediction, "prediction")
            labels: list[int] = [POSITIVE]
        elif model == "multiclass_numeric":
            true, predicted = self._numeric(truth, "truth"), self._numeric(prediction, "prediction")
            labels = self._known_classes(true, predicted)
        else:
            true, width = self._onehot(truth, "truth")
            predicted, predicted_width = self._onehot(prediction, "prediction")
            if width != predicted_width:
                raise FeedbackError(
                    f"truth rows have {width} values but prediction rows {predicted_width}: one-hot and probability "
                    "rows must both have one value per class"
                )
            labels = list(range(width))
        if len(true) != len(predicted):
            raise FeedbackError(
                f"truth has {len(true)} rows but prediction has {len(predicted)}: one each per instance"
            )
        rows = len(true)
        classes: dict[str, ClassCount] = {}
        for number in labels:
            is_true, is_predicted = true == number, predicted == number
            tp = int(np.count_nonzero(is_true & is_predicted))
            fp = int(np.count_nonzero(is_predicted)) - tp
            fn = int(np.count_nonzero(is_true)) - tp
            classes[class_label(number)] = ClassCount(tp=tp, fp=fp, tn=rows - tp - fp - fn, fn=fn)
        return ClassCounts(rows=rows, correct=int(np.count_nonzero(true == predicted)), classes=classes)

    def _known_classes(self, true: Labels, predicted: Labels) -> list[int]:
        if self.spec.classes is not None:
            return list(range(self.spec.classes))
        return sorted({int(v) for v in np.concatenate([true, predicted])})

    def _binary(self, value: Any, what: str) -> Labels:
        array = _numbers(value, what)
        if array.ndim == 2 and array.shape[1] == 2:
            return np.asarray(np.argmax(array, axis=1), dtype=np.int64)
        column = _one_per_row(array, what, "binary", "or two-column [P(class 0), P(class 1)] rows")
        if what == "truth":
            if not np.isin(column, (0.0, 1.0)).all():
                raise FeedbackError(f"binary truth must be 0 or 1; found {_first_outside(column, (0.0, 1.0))}")
            return column.astype(np.int64)
        if ((column < 0.0) | (column > 1.0)).any():
            bad = column[(column < 0.0) | (column > 1.0)][0]
            raise FeedbackError(f"a binary prediction must be a probability or 0/1 label in [0, 1]; found {bad:g}")
        return (column >= self.spec.threshold).astype(np.int64)

    def _numeric(self, value: Any, what: str) -> Labels:
        column = _one_per_row(_numbers(value, what), what, "multiclass_numeric", "(for one-hot or probability rows use "
                              "a multiclass_onehot metrics server)")  # fmt: skip
        if ((column < 0) | (column != np.floor(column))).any():
            bad = column[(column < 0) | (column != np.floor(column))][0]
            raise FeedbackError(f"{what} must hold class numbers (integers from 0); found {bad:g}")
        classes = self.spec.classes
        if classes is not None and (column >= classes).any():
            raise FeedbackError(f"{what} holds class {int(column.max())} but the metrics server has {classes} classes "
                                f"(0..{classes - 1})")  # fmt: skip
        if (column >= MAX_CLASSES).any():
            raise FeedbackError(
                f"{what} holds class {column.max():g}; a metrics server counts classes 0..{MAX_CLASSES - 1}"
            )
        return column.astype(np.int64)

    def _onehot(self, value: Any, what: str) -> tuple[Labels, int]:
        array = _numbers(value, what)
        if array.ndim == 1:
            array = array.reshape(1, -1)  # a flat list is one row of per-class values
        if array.ndim != 2 or array.shape[1] < 2:
            raise FeedbackError(
                f"multiclass_onehot {what} must be rows of one value per class (at least 2); got shape {array.shape}"
            )
        width = int(array.shape[1])
        if self.spec.classes is not None and width != self.spec.classes:
            raise FeedbackError(f"{what} rows have {width} values but the metrics server has {self.spec.classes} "
                                "classes")  # fmt: skip
        return np.asarray(np.argmax(array, axis=1), dtype=np.int64), width


def _numbers(value: Any, what: str) -> npt.NDArray[np.float64]:
    if value is None:
        raise FeedbackError(f"the feedback has no {what}")
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise FeedbackError(f"{what} is not numbers of one shape: {_preview(value)}") from None
    if array.ndim == 0:
        array = array.reshape(1)
    if array.size == 0:
        raise FeedbackError(f"{what} is empty")
    if array.ndim > 2:
        raise FeedbackError(f"{what} must be one value or one row per instance; got shape {array.shape}")
    if not np.isfinite(array).all():
        raise FeedbackError(f"{what} holds a value that is not a finite number (NaN or infinity)")
    return array


def _one_per_row(array: npt.NDArray[np.float64], what: str, model: str, hint: str) -> npt.NDArray[np.float64]:
    if array.ndim == 1:
        return array
    if array.shape[1] == 1:
        return array[:, 0]
    raise FeedbackError(f"{model} {what} must be one value per instance {hint}; got rows of {array.shape[1]} values")


def _first_outside(column: npt.NDArray[np.float64], allowed: tuple[float, ...]) -> str:
    return f"{column[~np.isin(column, allowed)][0]:g}"


def _preview(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
