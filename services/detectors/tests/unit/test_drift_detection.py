"""Real drift tests (alibi-detect, fixed seeds): chance-level false alarms, shifts found fast, every algorithm."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from warden_common.events.detectors import DriftDetected
from warden_detectors.drift import DriftMonitor, DriftResult, DriftSetupError, DriftSpec

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
FEATURES = 12
WINDOW = 500


def _stream(monitor: DriftMonitor, windows: list[np.ndarray[Any, Any]]) -> list[DriftResult]:
    results: list[DriftResult] = []
    for i, rows in enumerate(windows):
        results += monitor.add(rows, T0 + timedelta(seconds=i))
    return results


@pytest.mark.parametrize("feature_wise", [False, True])
def test_reference_stream_raises_drift_no_more_often_than_chance(feature_wise: bool) -> None:
    rng = np.random.default_rng(20261204)
    reference = rng.normal(size=(5000, FEATURES))
    spec = DriftSpec(drift_batch_size=WINDOW, p_val=0.05, drift_type_feature=feature_wise)
    monitor = DriftMonitor(spec, reference, None, "income-drift")
    results = _stream(monitor, [rng.normal(size=(WINDOW, FEATURES)) for _ in range(20)])
    assert len(results) == 20 and all(r.tested and r.rows == WINDOW for r in results)
    # With the Bonferroni correction over the 12 KS tests, a window drawn from the reference distribution is
    # flagged with probability at most 0.05, so the count over 20 windows is at most Binomial(20, 0.05): mean 1,
    # and P(count >= 4) = 1.6%. "At most 3 of 20" is what chance allows; a detector without the correction
    # (about 1 - 0.95^12 = 46% per window) would flag ~9 and fail here.
    flagged = sum(bool(r.is_drift) for r in results)
    assert flagged <= 3
    if feature_wise:
        # Feature-wise flags are uncorrected (alibi-detect's rule, p < 0.05 per feature): ~5% of the 240 tests.
        feature_flags = sum(sum(r.feature_is_drift or []) for r in results)
        assert feature_flags <= 24  # mean 12, sd ~3.4: more than 24 is 3.5 sd out
        assert all(r.feature_threshold == 0.05 and r.reply() is not None for r in results)


def test_shifted_stream_is_detected_within_two_windows() -> None:
    rng = np.random.default_rng(7)
    reference = rng.normal(size=(5000, FEATURES))
    monitor = DriftMonitor(DriftSpec(drift_batch_size=WINDOW), reference, None, "d")
    shifted = rng.normal(size=(2 * WINDOW, FEATURES))
    shifted[:, 3] += 0.3  # a 0.3-sd shift in one feature of twelve
    results = monitor.add(shifted, T0)
    assert len(results) == 2
    assert results[0].is_drift or results[1].is_drift
    first = next(r for r in results if r.is_drift)
    assert isinstance(first.p_val, list) and int(np.argmin(first.p_val)) == 3
    assert isinstance(first.threshold, float) and first.threshold == pytest.approx(0.05 / FEATURES)


def test_time_windows_close_on_time_with_little_traffic() -> None:
    rng = np.random.default_rng(3)
    spec = DriftSpec(window_seconds=60, min_window_rows=3)
    monitor = DriftMonitor(spec, rng.normal(size=(1000, 2)), None, "d")
    assert monitor.add(rng.normal(size=(2, 2)), T0 + timedelta(seconds=5)) == []
    assert monitor.add(rng.normal(size=(2, 2)), T0 + timedelta(seconds=40)) == []
    assert monitor.tick(T0 + timedelta(seconds=59.9)) == [] and monitor.pending() == 4
    assert monitor.next_deadline() == T0 + timedelta(seconds=60)
    (closed,) = monitor.tick(T0 + timedelta(seconds=60))
    assert (closed.window_start, closed.window_end, closed.rows, closed.tested) == (
        T0,
        T0 + timedelta(seconds=60),
        4,
        True,
    )
    assert isinstance(closed.is_drift, bool) and isinstance(closed.p_val, list) and len(closed.p_val) == 2
    assert monitor.pending() == 0 and monitor.tick(T0 + timedelta(minutes=5)) == []  # an empty window says nothing
    # Too few rows to test: reported as skipped with the reason, no scores, no reply.
    monitor.add(rng.normal(size=(2, 2)), T0 + timedelta(minutes=7, seconds=1))
    (skipped,) = monitor.tick(T0 + timedelta(minutes=8))
    assert skipped.window_start == T0 + timedelta(minutes=7) and skipped.rows == 2
    assert skipped.skipped == "2 row(s) in the window, fewer than the 3 needed to test"
    assert (skipped.is_drift, skipped.p_val, skipped.reply()) == (None, None, None)


def test_a_row_after_the_window_closes_it_first() -> None:
    rng = np.random.default_rng(4)
    monitor = DriftMonitor(DriftSpec(window_seconds=10, drift_batch_size=100), rng.normal(size=(500, 2)), None, "d")
    monitor.add(rng.normal(size=(30, 2)), T0 + timedelta(seconds=1))
    results = monitor.add(rng.normal(size=(150, 2)), T0 + timedelta(seconds=12))
    # The time window [0 s, 10 s) closes with its 30 rows, then 100 of the new rows fill a count window.
    assert [(r.rows, r.window_start, r.window_end) for r in results] == [
        (30, T0, T0 + timedelta(seconds=10)),
        (100, T0 + timedelta(seconds=10), T0 + timedelta(seconds=12)),
    ]
    assert monitor.pending() == 50
    (rest,) = monitor.tick(T0 + timedelta(seconds=20))
    assert (rest.rows, rest.window_start, rest.window_end) == (
        50,
        T0 + timedelta(seconds=12),
        T0 + timedelta(seconds=20),
    )


def test_a_late_row_joins_the_next_window() -> None:
    rng = np.random.default_rng(6)
    monitor = DriftMonitor(DriftSpec(window_seconds=60), rng.normal(size=(500, 2)), None, "d")
    monitor.add(rng.normal(size=(5, 2)), T0 + timedelta(seconds=10))
    (first,) = monitor.tick(T0 + timedelta(seconds=61))
    monitor.add(rng.normal(size=(5, 2)), T0 + timedelta(seconds=30))  # stamped inside the window just closed
    assert monitor.next_deadline() == T0 + timedelta(seconds=120)
    (second,) = monitor.tick(T0 + timedelta(seconds=120))
    assert (second.window_start, second.window_end, second.rows) == (first.window_end, T0 + timedelta(seconds=120), 5)


def _income_like(rng: np.random.Generator, rows: int, married_share: float) -> np.ndarray[Any, Any]:
    age = rng.normal(40, 12, rows)
    hours = rng.normal(40, 8, rows)
    marital = rng.choice(4, rows, p=[married_share, (1 - married_share) * 0.6, (1 - married_share) * 0.3,
                                     (1 - married_share) * 0.1])  # fmt: skip
    sex = rng.choice(2, rows, p=[0.35, 0.65])
    return np.column_stack([age, marital, sex, hours])


def test_tabular_drift_with_categorical_features() -> None:
    rng = np.random.default_rng(11)
    names = ["Age", "Marital Status", "Sex", "Hours per week"]
    spec = DriftSpec(
        algorithm="tabular", drift_batch_size=WINDOW, feature_names=names, drift_type_feature=True,
        categories_per_feature={"Marital Status": 4, "Sex": None},
    )  # fmt: skip
    monitor = DriftMonitor(spec, _income_like(rng, 5000, 0.45), None, "income")
    same, changed = monitor.add(np.vstack([_income_like(rng, WINDOW, 0.45), _income_like(rng, WINDOW, 0.25)]), T0)
    assert same.algorithm == "TabularDrift" and not same.is_drift
    assert changed.is_drift and changed.feature_is_drift == [False, True, False, False]
    marital = changed.per_feature()[1]
    assert marital["name"] == "Marital Status" and marital["p_val"] < 1e-6
    assert marital["distance"] > 20  # a chi-square statistic (3 degrees of freedom), not a KS distance (< 1)
    reply = changed.reply()
    assert reply is not None and reply["data"]["is_drift"] == [0, 1, 0, 0]
    DriftDetected.model_validate(reply)


def test_declared_categories_missing_from_the_reference_are_not_tested() -> None:
    # Three declared categories, the reference shows two: scipy's chi-square cannot take a category with no
    # expected count, so the test uses the two the reference knows, instead of failing every window.
    rng = np.random.default_rng(12)
    reference = np.column_stack([rng.integers(0, 2, 1000), rng.normal(size=1000)])
    spec = DriftSpec(algorithm="tabular", drift_batch_size=200, categories_per_feature={"0": 3})
    (result,) = DriftMonitor(spec, reference, None, "d").add(reference[:200], T0)
    assert result.tested and result.is_drift is False
    with pytest.raises(DriftSetupError, match=r"none of the categories \[7, 8\] occurs"):
        DriftMonitor(DriftSpec(algorithm="chisquare", drift_batch_size=200, categories_per_feature={"0": [7, 8]}),
                     reference, None, "d")  # fmt: skip


def test_chi_square_on_categorical_data() -> None:
    rng = np.random.default_rng(5)
    reference = np.column_stack([rng.choice(3, 4000, p=[0.5, 0.3, 0.2]), rng.choice(2, 4000)])
    monitor = DriftMonitor(DriftSpec(algorithm="chisquare", drift_batch_size=400), reference, None, "d")
    same = np.column_stack([rng.choice(3, 400, p=[0.5, 0.3, 0.2]), rng.choice(2, 400)])
    changed = np.column_stack([rng.choice(3, 400, p=[0.3, 0.3, 0.4]), rng.choice(2, 400)])
    first, second = monitor.add(np.vstack([same, changed]), T0)
    assert first.algorithm == "ChiSquareDrift" and not first.is_drift and second.is_drift
    assert isinstance(second.p_val, list) and second.p_val[0] < 1e-6 < second.p_val[1]


def test_cramer_von_mises_finds_a_change_of_spread() -> None:
    rng = np.random.default_rng(8)
    monitor = DriftMonitor(DriftSpec(algorithm="cvm", drift_batch_size=300), rng.normal(size=(3000, 3)), None, "d")
    same = rng.normal(size=(300, 3))
    wider = rng.normal(size=(300, 3)) * np.array([1.0, 1.6, 1.0])  # same mean, wider spread in feature 1
    first, second = monitor.add(np.vstack([same, wider]), T0)
    assert first.algorithm == "CVMDrift" and not first.is_drift and second.is_drift
    assert isinstance(second.p_val, list) and int(np.argmin(second.p_val)) == 1


def test_saved_detector_round_trips(tmp_path: Path) -> None:
    from alibi_detect.cd import KSDrift
    from alibi_detect.saving import save_detector

    rng = np.random.default_rng(9)
    reference = rng.normal(size=(2000, 4))
    save_detector(KSDrift(reference, p_val=0.05), str(tmp_path / "ks"))
    spec = DriftSpec(drift_batch_size=200, drift_type_feature=True)
    from_artifact = DriftMonitor(spec, None, tmp_path / "ks", "saved")
    fitted = DriftMonitor(spec, reference, None, "fitted")
    window = rng.normal(size=(200, 4)) + np.array([0.0, 0.0, 0.5, 0.0])
    (loaded,) = from_artifact.add(window, T0)
    (direct,) = fitted.add(window, T0)
    assert loaded.algorithm == "KSDrift" and from_artifact.n_features == 4
    assert (loaded.is_drift, loaded.p_val, loaded.feature_is_drift) == (
        direct.is_drift,
        direct.p_val,
        direct.feature_is_drift,
    )
    assert loaded.feature_is_drift == [False, False, True, False]

    # Outlier detectors save only through TensorFlow here, so a wrong artifact is a broken or foreign directory.
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "config.toml").write_text('name = "NotADetector"\n')
    with pytest.raises(DriftSetupError, match=r"cannot load the saved detector in .*foreign"):
        DriftMonitor(spec, None, tmp_path / "foreign", "foreign")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DriftSetupError, match="cannot load the saved detector"):
        DriftMonitor(spec, None, tmp_path / "empty", "empty")
