"""Windows of rows for one drift detector: count windows, time windows, or both (whichever closes first).

Count windows (`drift_batch_size`) close as soon as they hold that many rows, like the alibi-detect server's
batches; a large batch of rows fills several windows. Time windows (`window_seconds`) are aligned on the UTC
epoch (a 60 s window runs from :00 to :00), so windows line up across detectors and restarts; one opens with
its first row and closes when a row arrives after its end or when the runtime's timer calls `tick(now)` after
it, however few rows it holds. A window with fewer than `min_window_rows` is reported as skipped, with the
reason, instead of being tested; a time window that saw no row produces no result at all (no traffic, nothing
to compare). Times are UTC; naive datetimes are taken as UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from warden_detectors.drift.detectors import Array, build_tester
from warden_detectors.drift.result import DriftResult
from warden_detectors.drift.spec import DriftSpec

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


class DriftMonitor:
    """One configured drift detector: collects rows into windows and tests each window as it closes.

    Pure computation (no I/O); one caller at a time. `DriftSetupError` from the constructor when the reference
    data or saved detector does not fit the spec; `DriftInputError` from `add` for rows of the wrong shape
    (nothing of them is kept).
    """

    def __init__(self, spec: DriftSpec, reference: Array | None, artifact_dir: Path | None, name: str) -> None:
        self.spec = spec
        self.name = name
        self._tester = build_tester(spec, reference, artifact_dir)
        self._chunks: list[Array] = []
        self._pending = 0
        self._start: datetime | None = None
        self._deadline: datetime | None = None
        self._last_close: datetime | None = None

    @property
    def n_features(self) -> int | None:
        """Columns the detector tests (None for a saved multivariate detector, which does not say)."""
        return self._tester.n_features

    def pending(self) -> int:
        """Rows waiting in the open window."""
        return self._pending

    def add(self, rows: Array, at: datetime) -> list[DriftResult]:
        """Add rows seen at `at`; the results of the windows this closes (a due time window first)."""
        rows = np.asarray(rows)
        self._tester.check(rows)
        at = _utc(at)
        results = self.tick(at)
        batch = self.spec.drift_batch_size
        offset = 0
        while offset < len(rows):
            if self._start is None:
                self._open(at)
            take = len(rows) - offset if batch is None else min(batch - self._pending, len(rows) - offset)
            self._chunks.append(rows[offset : offset + take])
            self._pending += take
            offset += take
            if batch is not None and self._pending >= batch:
                results.append(self._close(at))
        return results

    def tick(self, now: datetime) -> list[DriftResult]:
        """Close the open time window if it ended at or before `now` (the runtime's timer calls this)."""
        if self._deadline is not None and _utc(now) >= self._deadline:
            return [self._close(self._deadline)]
        return []

    def next_deadline(self) -> datetime | None:
        """When the open time window closes (None: no open time window), for the runtime's timer."""
        return self._deadline

    def _open(self, at: datetime) -> None:
        if self._last_close is not None and at < self._last_close:
            at = self._last_close  # a late row (its own window already closed) joins the next window
        seconds = self.spec.window_seconds
        if seconds is None:
            self._start = at
            return
        step = timedelta(seconds=seconds)
        grid_start = _EPOCH + step * ((at - _EPOCH) // step)
        # After a count window closed inside this time slot, the next window starts where that one ended.
        self._start = max(grid_start, self._last_close) if self._last_close is not None else grid_start
        self._deadline = grid_start + step

    def _close(self, end: datetime) -> DriftResult:
        window = np.concatenate(self._chunks) if len(self._chunks) > 1 else self._chunks[0]
        start = self._start or end
        self._chunks, self._pending, self._start, self._deadline = [], 0, None, None
        self._last_close = end
        rows = int(window.shape[0])
        common: dict[str, Any] = {
            "detector": self.name,
            "drift_type": "feature" if self.spec.drift_type_feature else "batch",
            "window_start": start,
            "window_end": end,
            "rows": rows,
            "feature_names": self.spec.feature_names,
        }
        if rows < self.spec.min_window_rows:
            reason = f"{rows} row(s) in the window, fewer than the {self.spec.min_window_rows} needed to test"
            return DriftResult(algorithm=type(self._tester.detector).__name__, skipped=reason, **common)
        outcome = self._tester.test(window)
        return DriftResult(
            algorithm=outcome.algorithm,
            is_drift=outcome.is_drift,
            p_val=outcome.p_val,
            distance=outcome.distance,
            threshold=outcome.threshold,
            distance_threshold=outcome.distance_threshold,
            feature_is_drift=outcome.feature_is_drift,
            feature_threshold=outcome.feature_threshold,
            data_type=outcome.data_type,
            version=outcome.version,
            **common,
        )
