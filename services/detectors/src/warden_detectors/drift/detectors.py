"""The alibi-detect drift detector behind a monitor: fitted from reference data, or a saved detector loaded.

alibi-detect is imported here, inside the functions that need it: importing it costs ~5 s (it pulls in
transformers), which `warden up` must not pay before the first drift detector is configured.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from warden_detectors.drift.spec import CategoryValues, DriftSpec

logger = logging.getLogger(__name__)

Array = np.ndarray[Any, Any]


class DriftSetupError(ValueError):
    """The detector cannot be built: bad reference data, a bad saved detector, or a spec that does not fit them."""


class DriftInputError(ValueError):
    """Rows the detector cannot test (wrong shape or type); the window they were in is dropped."""


@dataclass(frozen=True)
class WindowOutcome:
    """The scores of one tested window, as plain Python values."""

    algorithm: str
    is_drift: bool
    p_val: float | list[float] | None
    distance: float | list[float] | None
    threshold: float | list[float] | None
    distance_threshold: float | None
    feature_is_drift: list[bool] | None
    feature_threshold: float | None
    data_type: str | None
    version: str | None


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return [float(v) for v in value.ravel()] if value.ndim else float(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


class WindowTester:
    """Runs the detector on a window's rows; one per monitor."""

    def __init__(self, detector: Any, spec: DriftSpec, expected_shape: tuple[int, ...] | None) -> None:
        from alibi_detect.cd.base import BaseUnivariateDrift

        self.detector = detector
        self.feature_wise = spec.drift_type_feature
        self.expected_shape = expected_shape
        self.univariate = isinstance(detector, BaseUnivariateDrift)
        if self.feature_wise and not self.univariate:
            raise DriftSetupError(
                f"drift_type_feature needs a test per feature; {type(detector).__name__} tests all features together"
            )
        self.n_features: int | None = int(detector.n_features) if self.univariate else None
        if (
            spec.feature_names is not None
            and self.n_features is not None
            and len(spec.feature_names) != self.n_features
        ):
            raise DriftSetupError(
                f"feature_names has {len(spec.feature_names)} names but the detector tests {self.n_features} features"
            )

    def check(self, rows: Array) -> None:
        """`DriftInputError` when `rows` cannot join this detector's windows."""
        if rows.ndim < 2:
            raise DriftInputError(f"rows must be a 2-D array (rows x features), got shape {rows.shape}")
        if self.expected_shape is not None and tuple(rows.shape[1:]) != self.expected_shape:
            raise DriftInputError(
                f"rows have shape {tuple(rows.shape[1:])} per instance, the detector expects {self.expected_shape}"
            )
        if rows.dtype.kind not in "biuf":
            raise DriftInputError(f"rows must be numeric, got dtype {rows.dtype}")

    def test(self, window: Array) -> WindowOutcome:
        try:
            if self.univariate:
                out = self.detector.predict(window, drift_type="batch", return_p_val=True, return_distance=True)
            else:
                out = self.detector.predict(window, return_p_val=True, return_distance=True)
        except (ValueError, TypeError, IndexError) as exc:
            raise DriftInputError(f"{type(self.detector).__name__} could not test the window: {exc}") from exc
        data, meta = out["data"], out.get("meta", {})
        for key in ("p_val", "distance"):
            if data.get(key) is not None and not np.all(np.isfinite(data[key])):
                # Degenerate data (e.g. a constant column) can leave a test without an answer; say so rather
                # than store a NaN no JSON reader accepts.
                raise DriftInputError(f"{type(self.detector).__name__} gave a non-finite {key}: {data[key]}")
        p_val = _plain(data.get("p_val"))
        feature_is_drift: list[bool] | None = None
        feature_threshold: float | None = None
        if self.feature_wise and isinstance(p_val, list):
            # alibi-detect's feature-wise rule (p < p_val per feature), beside the corrected window answer.
            feature_threshold = float(self.detector.p_val)
            feature_is_drift = [p < feature_threshold for p in p_val]
        return WindowOutcome(
            algorithm=str(meta.get("name", type(self.detector).__name__)),
            is_drift=bool(data["is_drift"]),
            p_val=p_val,
            distance=_plain(data.get("distance")),
            threshold=_plain(data.get("threshold")),
            distance_threshold=_plain(data.get("distance_threshold")),
            feature_is_drift=feature_is_drift,
            feature_threshold=feature_threshold,
            data_type=meta.get("data_type"),
            version=meta.get("version"),
        )


def build_tester(spec: DriftSpec, reference: Array | None, artifact_dir: Path | None) -> WindowTester:
    """The tester for `spec`: fitted on `reference`, or the saved detector in `artifact_dir` (exactly one)."""
    if (reference is None) == (artifact_dir is None):
        raise DriftSetupError("a drift detector needs either reference data or a saved detector, not both or neither")
    if artifact_dir is not None:
        detector = load_saved(artifact_dir)
        x_ref = getattr(detector, "x_ref", None)
        known = isinstance(x_ref, np.ndarray) and getattr(detector, "preprocess_fn", None) is None
        return WindowTester(detector, spec, tuple(x_ref.shape[1:]) if known else None)  # type: ignore[union-attr]
    assert reference is not None
    reference = np.asarray(reference)
    if reference.ndim < 2 or reference.shape[0] < 2:
        raise DriftSetupError(f"reference data must be rows x features with at least 2 rows, got {reference.shape}")
    if reference.dtype.kind not in "biuf":
        raise DriftSetupError(f"reference data must be numeric, got dtype {reference.dtype}")
    if not np.isfinite(reference).all():
        raise DriftSetupError("reference data has NaN or infinite values")
    return WindowTester(fit_detector(spec, reference), spec, tuple(reference.shape[1:]))


def fit_detector(spec: DriftSpec, reference: Array) -> Any:
    n_features = math.prod(reference.shape[1:])
    if spec.feature_names is not None and len(spec.feature_names) != n_features:
        raise DriftSetupError(f"feature_names has {len(spec.feature_names)} names, the reference {n_features} columns")
    common: dict[str, Any] = {"p_val": spec.p_val}
    if spec.algorithm == "mmd":
        from alibi_detect.cd import MMDDrift

        return MMDDrift(reference, backend="pytorch", **common)
    common["correction"] = spec.correction
    if spec.algorithm == "ks":
        from alibi_detect.cd import KSDrift

        return KSDrift(reference, **common)
    if spec.algorithm == "cvm":
        from alibi_detect.cd import CVMDrift

        return CVMDrift(reference, **common)
    categories = _categories(spec, reference)
    if spec.algorithm == "chisquare":
        from alibi_detect.cd import ChiSquareDrift

        return ChiSquareDrift(reference, categories_per_feature=categories, **common)
    from alibi_detect.cd import TabularDrift

    return TabularDrift(reference, categories_per_feature=categories, **common)


def _categories(spec: DriftSpec, reference: Array) -> dict[int, Any] | None:
    """Categorical columns -> their category codes; None ones read from the reference data."""
    columns = spec.category_columns()
    if columns is None:
        return None  # chisquare without categories: every column is categorical, read from the reference
    if reference.ndim != 2:
        raise DriftSetupError(f"categorical tests need rows x features reference data, got {reference.shape}")
    resolved: dict[int, Any] = {}
    for column, values in columns.items():
        if column >= reference.shape[1]:
            raise DriftSetupError(
                f"categories_per_feature names column {column}; the reference has {reference.shape[1]} columns"
            )
        resolved[column] = _codes(values, reference[:, column])
    if spec.algorithm == "chisquare":  # every column is tested: the unnamed ones get the reference's codes
        for column in range(reference.shape[1]):
            resolved.setdefault(column, _codes(None, reference[:, column]))
    return resolved


def _codes(values: CategoryValues, column: Array) -> list[int]:
    if not np.all(np.equal(np.mod(column, 1), 0)):
        raise DriftSetupError("a categorical column of the reference data has non-integer values")
    seen = sorted({int(v) for v in column})
    if values is None:
        return seen
    declared = list(range(values)) if isinstance(values, int) else list(values)
    # A declared category the reference never shows would have an expected count of zero in every window without
    # it, which the chi-square test cannot take (scipy raises): test the categories the reference knows, as when
    # they are read from it.
    known = [code for code in declared if code in set(seen)]
    if not known:
        raise DriftSetupError(f"none of the categories {declared} occurs in the reference data's column")
    return known


def load_saved(artifact_dir: Path) -> Any:
    """A drift detector saved with `alibi_detect.saving.save_detector`; `DriftSetupError` saying why not."""
    from alibi_detect.saving import load_detector

    if not artifact_dir.is_dir():
        raise DriftSetupError(f"saved detector directory {artifact_dir} does not exist")
    try:
        detector = load_detector(str(artifact_dir))
    except Exception as exc:  # alibi-detect raises many types for a bad artifact; all mean "cannot load it"
        raise DriftSetupError(f"cannot load the saved detector in {artifact_dir}: {type(exc).__name__}: {exc}") from exc
    meta = getattr(detector, "meta", {}) or {}
    if meta.get("detector_type") != "drift":
        raise DriftSetupError(
            f"the saved detector in {artifact_dir} is a {meta.get('name', type(detector).__name__)} "
            f"({meta.get('detector_type', 'unknown')} detector), not a drift detector"
        )
    return detector
