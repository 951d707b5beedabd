"""Each detector's live status in this process: Loading / Loaded / Failed (why), recent errors, throughput."""

from __future__ import annotations

from collections import deque
from datetime import UTC, datetime

from warden_detectors.configs.wire import DetectorError, DetectorState, DetectorStatus, Throughput

MAX_ERRORS = 10


class StatusTracker:
    def __init__(self) -> None:
        self.state: DetectorState = "Loading"
        self.reason: str | None = None
        self._errors: deque[DetectorError] = deque(maxlen=MAX_ERRORS)
        self._events = 0
        self._rows = 0
        self._last: datetime | None = None

    def loaded(self) -> None:
        self.state, self.reason = "Loaded", None

    def failed(self, reason: str) -> None:
        self.state, self.reason = "Failed", reason

    def error(self, reason: str) -> None:
        self._errors.append(DetectorError(time=datetime.now(UTC), reason=reason))

    def handled(self, events: int, rows: int, last_event_time: datetime | None) -> None:
        self._events += events
        self._rows += rows
        if last_event_time is not None and (self._last is None or last_event_time > self._last):
            self._last = last_event_time

    def public(self) -> DetectorStatus:
        throughput = Throughput(events=self._events, instances_scored=self._rows, last_event_time=self._last)
        return DetectorStatus(state=self.state, reason=self.reason, errors=list(self._errors), throughput=throughput)
