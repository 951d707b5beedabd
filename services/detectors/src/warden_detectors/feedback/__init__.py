"""Metrics servers: feedback (truth vs prediction) -> per-class TP/FP/TN/FN, stored per time bucket, summarised as
accuracy, precision, recall, specificity and F1 per class and overall, and counted in Prometheus.

The runtime (det-core) calls, per feedback event: `lookup.logged_response` when the feedback has no `response`,
then `FeedbackMetricsServer.counts(truth, prediction)`; per batch `FeedbackMetricsStore.add_many(...)`, then
`metrics.record(...)` per feedback.
"""

from warden_detectors.feedback.counting import ClassCount, ClassCounts, FeedbackMetricsServer
from warden_detectors.feedback.errors import FeedbackError
from warden_detectors.feedback.lookup import LogStoreLookup, ResponseNotLogged, ResponseTooLarge, logged_response
from warden_detectors.feedback.spec import MetricsSpec
from warden_detectors.feedback.store import FeedbackMetricsStore
from warden_detectors.feedback.summary import ClassMetrics, MetricsSummary, Ratios

__all__ = [
    "ClassCount",
    "ClassCounts",
    "ClassMetrics",
    "FeedbackError",
    "FeedbackMetricsServer",
    "FeedbackMetricsStore",
    "LogStoreLookup",
    "MetricsSpec",
    "MetricsSummary",
    "Ratios",
    "ResponseNotLogged",
    "ResponseTooLarge",
    "logged_response",
]
