"""Metrics servers' counting: the seed's §5.1.8 payloads, binary / multiclass numeric / one-hot, batches, bad input."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from warden_common.payloads import parse_response
from warden_detectors.feedback import ClassCount, ClassCounts, FeedbackError, FeedbackMetricsServer, MetricsSpec

NUMERIC = "adserver.cm_models.multiclass_numeric.MultiClassNumeric"
BINARY = "adserver.cm_models.binary_metrics.BinaryMetrics"
ONEHOT = "adserver.cm_models.multiclass_one_hot.MulticlassOneHot"


def server(storage_uri: str | None = None, **basic: Any) -> FeedbackMetricsServer:
    return FeedbackMetricsServer(MetricsSpec.from_config({"storage_uri": storage_uri, **basic}), "multiclasserver")


def rows(message: dict[str, Any]) -> list[Any]:
    """A Seldon message's rows as the runtime hands them over (one row per instance)."""
    return [instance.columns for instance in parse_response(message).instances]


def counts_of(metrics: FeedbackMetricsServer, feedback: dict[str, Any]) -> ClassCounts:
    return metrics.counts(rows(feedback["truth"]), rows(feedback["response"]))


def test_seed_numeric_feedback_true_positive_then_false_positive_and_negative() -> None:
    """§5.1.8.4: the iris prediction was versicolor (class 1); feedback with truth 1, then with truth 0."""
    metrics = server(NUMERIC)
    right = counts_of(metrics, {"response": {"data": {"ndarray": [1]}}, "truth": {"data": {"ndarray": [1]}}})
    assert right == ClassCounts(rows=1, correct=1, classes={"CLASS_1": ClassCount(tp=1)})
    wrong = counts_of(metrics, {"response": {"data": {"ndarray": [1]}}, "truth": {"data": {"ndarray": [0]}}})
    assert wrong == ClassCounts(rows=1, correct=0, classes={"CLASS_0": ClassCount(fn=1), "CLASS_1": ClassCount(fp=1)})


def test_seed_numeric_with_declared_classes_counts_true_negatives_of_the_others() -> None:
    metrics = server(NUMERIC, classes=3)
    wrong = metrics.counts([[0]], [[1]])
    assert wrong.classes == {"CLASS_0": ClassCount(fn=1), "CLASS_1": ClassCount(fp=1), "CLASS_2": ClassCount(tn=1)}
    right = metrics.counts([2], [2])
    assert right.classes == {"CLASS_0": ClassCount(tn=1), "CLASS_1": ClassCount(tn=1), "CLASS_2": ClassCount(tp=1)}


def test_seed_binary_feedback_is_a_false_positive() -> None:
    """§5.1.8.4's curl: response [1], truth [0] - a false positive of the positive class."""
    metrics = server(BINARY)
    feedback = {"response": {"data": {"ndarray": [1]}}, "truth": {"data": {"ndarray": [0]}}}
    assert counts_of(metrics, feedback) == ClassCounts(rows=1, correct=0, classes={"CLASS_1": ClassCount(fp=1)})


def test_binary_thresholds_one_column_and_argmaxes_two_columns() -> None:
    metrics = server(model_type="binary", threshold=0.7)
    counted = metrics.counts([1, 1, 0, 0, 1], [[0.9], [0.69], [0.7], [0.1], [0.7]])
    # predicted 1, 0, 1, 0, 1 against truth 1, 1, 0, 0, 1
    assert counted == ClassCounts(rows=5, correct=3, classes={"CLASS_1": ClassCount(tp=2, fp=1, tn=1, fn=1)})
    proba = metrics.counts([[0, 1], [1, 0], [1, 0]], [[0.2, 0.8], [0.4, 0.6], [0.5, 0.5]])  # one-hot truth too
    assert proba.classes == {"CLASS_1": ClassCount(tp=1, fp=1, tn=1)}  # a tie is class 0


def test_onehot_argmaxes_probability_rows_from_the_seed_response() -> None:
    """§5.1.8.3's iris response (probabilities of three classes) against a one-hot truth."""
    metrics = server(ONEHOT)
    response = {"data": {"names": ["t:0", "t:1", "t:2"],
                         "ndarray": [[0.008074020139120223, 0.7781601484223125, 0.21376583143856714]]}}  # fmt: skip
    right = counts_of(metrics, {"response": response, "truth": {"data": {"ndarray": [[0, 1, 0]]}}})
    assert right.classes == {"CLASS_0": ClassCount(tn=1), "CLASS_1": ClassCount(tp=1), "CLASS_2": ClassCount(tn=1)}
    wrong = counts_of(metrics, {"response": response, "truth": {"data": {"ndarray": [0, 0, 1]}}})  # a flat row
    assert wrong.classes == {"CLASS_0": ClassCount(tn=1), "CLASS_1": ClassCount(fp=1), "CLASS_2": ClassCount(fn=1)}


def test_batch_feedback_counts_every_row() -> None:
    rng = np.random.default_rng(7)
    truth = rng.integers(0, 4, size=500)
    predicted = np.where(rng.random(500) < 0.8, truth, rng.integers(0, 4, size=500))
    counted = server(NUMERIC).counts(truth.reshape(-1, 1), predicted.reshape(-1, 1))
    assert counted.rows == 500
    assert counted.correct == int((truth == predicted).sum())
    for number in range(4):
        count = counted.classes[f"CLASS_{number}"]
        assert count.tp == int(((truth == number) & (predicted == number)).sum())
        assert count.fp == int(((truth != number) & (predicted == number)).sum())
        assert count.fn == int(((truth == number) & (predicted != number)).sum())
        assert count.tp + count.fp + count.tn + count.fn == 500


def test_onehot_batch_from_a_seldon_tensor() -> None:
    truth = {"data": {"tensor": {"shape": [3, 3], "values": [1, 0, 0, 0, 1, 0, 0, 0, 1]}}}
    response = {"data": {"tensor": {"shape": [3, 3], "values": [0.7, 0.2, 0.1, 0.1, 0.1, 0.8, 0.2, 0.3, 0.5]}}}
    counted = counts_of(server(ONEHOT), {"truth": truth, "response": response})
    assert counted.rows == 3 and counted.correct == 2
    assert counted.classes["CLASS_1"] == ClassCount(tn=2, fn=1)
    assert counted.classes["CLASS_2"] == ClassCount(tp=1, fp=1, tn=1)


@pytest.mark.parametrize(
    ("basic", "truth", "prediction", "message"),
    [
        ({"model_type": "binary"}, [2], [1], "binary truth must be 0 or 1; found 2"),
        ({"model_type": "binary"}, [1], [1.5], "probability or 0/1 label in [0, 1]; found 1.5"),
        ({"model_type": "binary"}, [1], [[0.1, 0.2, 0.7]], "got rows of 3 values"),
        ({"model_type": "multiclass_numeric"}, [1.5], [1], "class numbers (integers from 0); found 1.5"),
        ({"model_type": "multiclass_numeric"}, [1], [-1], "found -1"),
        ({"model_type": "multiclass_numeric"}, [[0.1, 0.9]], [1], "use a multiclass_onehot metrics server"),
        ({"model_type": "multiclass_numeric", "classes": 3}, [3], [1], "holds class 3 but the metrics server has 3"),
        ({"model_type": "multiclass_numeric"}, [1, 2], [1], "truth has 2 rows but prediction has 1"),
        ({"model_type": "multiclass_numeric"}, [1], [1e12], "prediction holds class 1e+12; a metrics server counts"),
        ({"model_type": "multiclass_onehot"}, [[0, 1]], [[0.1, 0.2, 0.7]], "truth rows have 2 values but prediction"),
        ({"model_type": "multiclass_onehot"}, [[1]], [[1]], "at least 2"),
        ({"model_type": "multiclass_onehot", "classes": 3}, [[0, 1]], [[1, 0]], "the metrics server has 3 classes"),
        ({"model_type": "multiclass_numeric"}, None, [1], "the feedback has no truth"),
        ({"model_type": "multiclass_numeric"}, [], [], "truth is empty"),
        ({"model_type": "multiclass_numeric"}, [float("nan")], [1], "not a finite number"),
        ({"model_type": "multiclass_numeric"}, [[1], [2, 3]], [1, 2], "truth is not numbers of one shape"),
        ({"model_type": "multiclass_numeric"}, ["setosa"], [1], "truth is not numbers of one shape: ['setosa']"),
        ({"model_type": "multiclass_onehot"}, [[[1, 0]]], [[[1, 0]]], "got shape (1, 1, 2)"),
    ],
)
def test_bad_feedback_is_a_clear_error(basic: dict[str, Any], truth: Any, prediction: Any, message: str) -> None:
    with pytest.raises(FeedbackError, match="^.*" + _escaped(message)):
        server(**basic).counts(truth, prediction)


def _escaped(text: str) -> str:
    import re

    return re.escape(text)


def test_whole_messages_are_read_as_their_rows() -> None:
    """The runtime may pass a feedback's `truth` and `response` as they came: Seldon, V2 or TensorFlow messages."""
    metrics = server(NUMERIC)
    seed = metrics.counts({"data": {"ndarray": [0]}}, {"data": {"ndarray": [1]}})
    assert seed.classes == {"CLASS_0": ClassCount(fn=1), "CLASS_1": ClassCount(fp=1)}
    v2 = {"model_name": "iris", "outputs": [{"name": "predict", "shape": [2], "datatype": "INT64", "data": [0, 2]}]}
    assert metrics.counts({"data": {"ndarray": [[0], [1]]}}, v2).correct == 1
    assert (
        metrics.counts({"data": {"tensor": {"shape": [2, 1], "values": [2, 1]}}}, {"predictions": [2, 1]}).correct == 2
    )


@pytest.mark.parametrize(
    ("truth", "message"),
    [
        ({}, "truth: Seldon message has none of data"),
        ({"data": {"ndarray": "x"}}, "truth: data.ndarray must be a list"),
        ({"jsonData": {"a": 1}}, "truth is not numbers of one shape"),
        ({"model_name": "m", "outputs": [{"name": "a", "shape": [1], "datatype": "INT64", "data": [1]},
                                         {"name": "b", "shape": [1], "datatype": "INT64", "data": [1]}]},
         "truth has 2 named outputs per instance"),
    ],
)  # fmt: skip
def test_bad_messages_are_clear_errors(truth: dict[str, Any], message: str) -> None:
    with pytest.raises(FeedbackError, match=_escaped(message)):
        server(NUMERIC).counts(truth, [1])
