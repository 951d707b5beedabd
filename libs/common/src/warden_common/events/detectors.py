"""Detector replies in the alibi-detect server's formats (protocols.md §5).

What the sources say (SeldonIO/seldon-core `components/alibi-detect-server`): the server posts a
binary-mode event whose type and source are whatever it was started with (`--event_type`,
`--event_source`), keeping the incoming event's id and extensions. The documented values:
- outlier detectors: `io.seldon.serving.inference.outlier` (Seldon) and
  `org.kubeflow.serving.inference.outlier` (KServe examples);
- drift detectors: `io.seldon.serving.inference.drift` and `org.kubeflow.serving.inference.drift`;
- metrics servers (`MetricsServer`, protocol `seldonfeedback.http`): type `io.seldon.serving.feedback.metrics`,
  source `io.seldon.serving.feedback`. The original replies with an empty object (`{}`) and exposes the
  TP/FP/TN/FN counters (`seldon_metric_true_positive`, ...) on Prometheus only; Warden's metrics server
  may also put them in the reply as `metrics`, in the Seldon metric shape.
The data of outlier and drift replies is alibi-detect's `predict` output: `{"data": {...}, "meta": {...}}`.
"""

from __future__ import annotations

from typing import Any

from warden_common.events._base import PeerPayload
from warden_common.events.protocols import SeldonMetric
from warden_common.events.registry import EventSpec

SELDON_OUTLIER = "io.seldon.serving.inference.outlier"
SELDON_DRIFT = "io.seldon.serving.inference.drift"
KSERVE_OUTLIER = "org.kubeflow.serving.inference.outlier"
KSERVE_DRIFT = "org.kubeflow.serving.inference.drift"
FEEDBACK_METRICS = "io.seldon.serving.feedback.metrics"

Flags = int | bool | list[int | bool]
"""0/1 (or true/false) per instance or feature, or one value for the whole batch."""
Scores = float | list[float] | list[list[float]]


class DetectorMeta(PeerPayload):
    name: str | None = None
    detector_type: str | None = None
    data_type: str | None = None
    version: str | None = None


class OutlierScores(PeerPayload):
    """Scores are present only when asked for (`Alibi-Detect-Return-Instance-Score` / `...-Feature-Score`)."""

    is_outlier: Flags
    instance_score: Scores | None = None
    feature_score: Any = None


class OutlierDetected(PeerPayload):
    data: OutlierScores
    meta: DetectorMeta | None = None


class DriftScores(PeerPayload):
    """Scalars for a batch-level test, arrays (one per feature) in feature-wise mode."""

    is_drift: Flags
    p_val: Scores | None = None
    threshold: Scores | None = None
    distance: Scores | None = None
    distance_threshold: Scores | None = None


class DriftDetected(PeerPayload):
    data: DriftScores
    meta: DetectorMeta | None = None


class FeedbackMetricsComputed(PeerPayload):
    """The metrics server's reply to one feedback: `{}` from the original, optionally with the counters it emitted."""

    metrics: list[SeldonMetric] | None = None


SPECS = (
    EventSpec(SELDON_OUTLIER, OutlierDetected, "Outlier detector result for a Seldon request.", peer=True),
    EventSpec(KSERVE_OUTLIER, OutlierDetected, "Outlier detector result for a KServe request.", peer=True),
    EventSpec(SELDON_DRIFT, DriftDetected, "Drift detector result for a full batch of Seldon requests.", peer=True),
    EventSpec(KSERVE_DRIFT, DriftDetected, "Drift detector result for a full batch of KServe requests.", peer=True),
    EventSpec(FEEDBACK_METRICS, FeedbackMetricsComputed, "Metrics server reply to one feedback event.", peer=True),
)
