"""Outlier detectors fitted on reference data: alibi-detect's IForest or Mahalanobis, threshold inferred from it."""

from __future__ import annotations

from typing import Any

from warden_detectors.outlier.spec import OutlierSpec
from warden_detectors.runtime.arrays import Array


def fit_detector(spec: OutlierSpec, reference: Array) -> Any:
    """A detector fitted on `reference` (blocking: imports alibi-detect and fits)."""
    from alibi_detect.od import IForest, Mahalanobis

    rows = reference.reshape(len(reference), -1)
    detector: Any
    if spec.algorithm == "IForest":
        detector = IForest(threshold=spec.threshold, n_estimators=spec.n_estimators)
        detector.fit(rows)
    else:
        # Online: it learns the mean and covariance from what it scores, starting with the reference data.
        detector = Mahalanobis(threshold=spec.threshold, n_components=min(spec.n_components, rows.shape[1]))
    if spec.threshold is None:
        detector.infer_threshold(rows, threshold_perc=spec.threshold_percentile)
    elif spec.algorithm == "Mahalanobis":
        detector.score(rows)  # learn the reference's distribution; the given threshold stays
    return detector
