"""Drift detection: windows of request rows tested against reference data (alibi-detect), results stored,
exposed as a timeline and as Prometheus gauges.

The runtime (det-core) builds a `DriftMonitor` per configured drift detector from `DriftSpec.from_config(basic)`
and the reference array or saved-detector directory it loaded, feeds it rows (`add`) and time (`tick`), saves
each `DriftResult` with `DriftResultsStore.save`, records it with `drift.metrics.record`, and replies with
`DriftResult.reply()` (None for a skipped window). The timeline route reads the store from
`app.state.drift_results` (a `DriftResultsStore`).
"""

from warden_detectors.drift.detectors import DriftInputError, DriftSetupError
from warden_detectors.drift.monitor import DriftMonitor
from warden_detectors.drift.result import DriftResult
from warden_detectors.drift.spec import DriftSpec
from warden_detectors.drift.store import DriftResultsStore, TimelinePage

__all__ = [
    "DriftInputError",
    "DriftMonitor",
    "DriftResult",
    "DriftResultsStore",
    "DriftSetupError",
    "DriftSpec",
    "TimelinePage",
]
