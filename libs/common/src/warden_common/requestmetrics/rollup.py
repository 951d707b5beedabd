"""Latency buckets and the in-memory rollups of request observations, per endpoint and 10-second window.

The buckets contain every bound of Seldon Core's executor histogram (0.005 ... 10 s, so queries written for it
with `le="0.1"` still work) plus finer ones in between: a percentile read off a histogram is interpolated within
one bucket, and bounds about 1.25x apart keep that within a few percent of the true value.
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

LATENCY_BUCKETS: tuple[float, ...] = (
    0.0005, 0.001, 0.0015, 0.002, 0.0025, 0.003, 0.004, 0.005, 0.006, 0.0075, 0.009,
    0.01, 0.0125, 0.015, 0.0175, 0.02, 0.025, 0.03, 0.035, 0.04, 0.05, 0.06, 0.075, 0.09,
    0.1, 0.125, 0.15, 0.175, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.75, 0.9,
    1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.5, 10.0, 15.0, 20.0, 30.0, 60.0,
)  # fmt: skip
"""Upper bounds (seconds) of the latency histogram buckets; a last, unbounded bucket follows them."""

WINDOW_SECONDS = 10


class RollupKey(NamedTuple):
    """An endpoint's calls with one status code (a tuple: made and hashed on every request)."""

    namespace: str
    deployment: str
    predictor: str
    service: str
    """`predictions` or `feedback` (the executor's `service` label)."""
    code: int


@dataclass(frozen=True)
class WindowRow:
    """One endpoint's requests with one status code in one window (what the standalone store keeps)."""

    window_start: datetime
    key: RollupKey
    requests: int
    latency_sum: float
    buckets: tuple[int, ...]
    """Requests per bucket of `LATENCY_BUCKETS` (not cumulative), plus the unbounded one."""


class _Cell:
    __slots__ = ("buckets", "requests", "total")

    def __init__(self) -> None:
        self.requests = 0
        self.total = 0.0
        self.buckets = [0] * (len(LATENCY_BUCKETS) + 1)


class Rollups:
    """Observations added on the request path; whole windows taken off by a writer. Thread-safe (cheap lock)."""

    def __init__(self, window_s: int = WINDOW_SECONDS) -> None:
        self._window = window_s
        self._cells: dict[tuple[int, RollupKey], _Cell] = {}
        self._lock = threading.Lock()

    def add(self, key: RollupKey, seconds: float, at: float) -> None:
        """One request of `key` that took `seconds` and finished at unix time `at`."""
        start = int(at) // self._window * self._window
        index = bisect.bisect_left(LATENCY_BUCKETS, seconds)
        with self._lock:
            cell = self._cells.get((start, key))
            if cell is None:
                cell = self._cells[(start, key)] = _Cell()
            cell.requests += 1
            cell.total += seconds
            cell.buckets[index] += 1

    def take(self, before: float | None = None) -> list[WindowRow]:
        """Remove and return the windows that ended by unix time `before` (all of them when None)."""
        with self._lock:
            done = [k for k in self._cells if before is None or k[0] + self._window <= before]
            cells = [(k, self._cells.pop(k)) for k in done]
        return [
            WindowRow(datetime.fromtimestamp(start, UTC), key, cell.requests, cell.total, tuple(cell.buckets))
            for (start, key), cell in cells
        ]

    def put_back(self, rows: list[WindowRow]) -> None:
        """Rows a writer could not store: kept for its next attempt (added to what arrived meanwhile)."""
        with self._lock:
            for row in rows:
                slot = (int(row.window_start.timestamp()), row.key)
                cell = self._cells.get(slot)
                if cell is None:
                    cell = self._cells[slot] = _Cell()
                cell.requests += row.requests
                cell.total += row.latency_sum
                cell.buckets = [a + b for a, b in zip(cell.buckets, row.buckets, strict=True)]
