"""One closed drift window: what was tested, the answer, and the alibi-detect server's reply shape."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from warden_common.events.detectors import DriftDetected

DriftType = Literal["batch", "feature"]
Scores = float | list[float]


@dataclass(frozen=True)
class DriftResult:
    """A window's drift answer, or the reason it was not tested (`skipped`).

    `is_drift` is the window's one answer: for tests per feature, drift in any feature after the multiple-testing
    correction (`threshold` is the corrected p-value threshold), so a detector with 12 features does not cry wolf
    in half of its windows. In feature-wise mode (`drift_type="feature"`) `feature_is_drift` also holds one flag per
    feature at the uncorrected level `feature_threshold` (= p_val), as alibi-detect answers in that mode.
    """

    detector: str
    algorithm: str
    """The alibi-detect detector class that tested the window (KSDrift, TabularDrift, ...)."""
    drift_type: DriftType
    window_start: datetime
    window_end: datetime
    rows: int
    skipped: str | None = None
    """Why the window was not tested (too few rows); every score below is then None."""
    is_drift: bool | None = None
    p_val: Scores | None = None
    """One p-value per feature (univariate tests) or one for the window (MMD)."""
    distance: Scores | None = None
    threshold: Scores | None = None
    """The p-value threshold of `is_drift` (corrected; FDR without a discovery gives its candidate thresholds)."""
    distance_threshold: float | None = None
    feature_is_drift: list[bool] | None = None
    feature_threshold: float | None = None
    feature_names: list[str] | None = None
    data_type: str | None = None
    version: str | None = None

    @property
    def tested(self) -> bool:
        return self.skipped is None

    def per_feature(self) -> list[dict[str, Any]]:
        """One entry per feature: index, name (when known), p-value, distance, and flag in feature-wise mode."""
        if not isinstance(self.p_val, list):
            return []
        distances = self.distance if isinstance(self.distance, list) else [None] * len(self.p_val)
        entries: list[dict[str, Any]] = []
        for i, (p_val, distance) in enumerate(zip(self.p_val, distances, strict=True)):
            entry: dict[str, Any] = {"index": i, "name": self.feature_name(i), "p_val": p_val, "distance": distance}
            if self.feature_is_drift is not None:
                entry["is_drift"] = self.feature_is_drift[i]
            entries.append(entry)
        return entries

    def feature_name(self, index: int) -> str | None:
        if self.feature_names is not None and index < len(self.feature_names):
            return self.feature_names[index]
        return None

    def reply(self) -> dict[str, Any] | None:
        """The alibi-detect server's reply `{"data": {...}, "meta": {...}}`; None for a skipped window (the
        original server never answers for a batch it did not test)."""
        if self.skipped is not None:
            return None
        data: dict[str, Any]
        if self.drift_type == "feature" and self.feature_is_drift is not None:
            data = {"is_drift": [int(flag) for flag in self.feature_is_drift], "threshold": self.feature_threshold}
        else:
            data = {"is_drift": int(bool(self.is_drift)), "threshold": self.threshold}
        data["p_val"] = self.p_val
        data["distance"] = self.distance
        if self.distance_threshold is not None:
            data["distance_threshold"] = self.distance_threshold
        meta = {"name": self.algorithm, "detector_type": "drift", "data_type": self.data_type, "version": self.version}
        reply = {"data": data, "meta": meta}
        DriftDetected.model_validate(reply)  # the shape the request logger and peers expect, checked at the source
        return reply
