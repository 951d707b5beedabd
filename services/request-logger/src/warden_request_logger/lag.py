"""How long logged predictions take to become searchable: the `warden_request_log_lag_seconds` histogram.

Observed once per stored event, from the event's own `time` (set by whoever published it: the executor, a
detector) to the moment the log-store write holding its documents returned: bus, consumer queueing, batching
linger and the write itself. On PostgreSQL that is when they are searchable (the write commits before it
returns). On OpenSearch it is too with `opensearch.wait_for_refresh` (`refresh=wait_for`); by default the write
returns once indexed and the documents become searchable at the next refresh, at most the index template's
`refresh_interval` (250 ms by default) later: add that bound when reading the histogram. Events without a time
are not observed; an event replayed long after its time shows as the lag it really had.

Stage timings per batch (age at consume, build, store) are logged at debug level by the service.

The histogram takes a whole batch at once (a collector of its own rather than `prometheus_client.Histogram`,
whose `observe` per event was ~3% of the logger's CPU): the batch's lags are sorted once and each bucket's
count is a binary search, so the cost per event is the subtraction that makes its lag.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime

from prometheus_client import REGISTRY
from prometheus_client.core import HistogramMetricFamily
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

NAME = "warden_request_log_lag_seconds"
BUCKETS = (0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 30.0, 60.0, 300.0)


class _Counts:
    """One store's cumulative bucket counts (`le` each bound, then +Inf), and the sum of what was observed."""

    def __init__(self, bounds: int) -> None:
        self.cumulative = [0] * (bounds + 1)
        self.total = 0.0


class BatchHistogram(Collector):
    """A Prometheus histogram with one label (`store`) observed a batch of values at a time."""

    def __init__(self, name: str, documentation: str, buckets: Sequence[float]) -> None:
        self._name, self._documentation = name, documentation
        self._bounds = tuple(buckets)
        self._by_store: dict[str, _Counts] = {}
        self._lock = threading.Lock()  # the exposition may run on another thread than the observer

    def observe_all(self, store: str, values: list[float]) -> None:
        if not values:
            return
        values.sort()
        below = [bisect.bisect_right(values, bound) for bound in self._bounds]
        with self._lock:
            counts = self._by_store.get(store)
            if counts is None:
                counts = self._by_store[store] = _Counts(len(self._bounds))
            for i, count in enumerate(below):
                counts.cumulative[i] += count
            counts.cumulative[-1] += len(values)
            counts.total += sum(values)

    def collect(self) -> Iterator[HistogramMetricFamily]:
        family = HistogramMetricFamily(self._name, self._documentation, labels=["store"])
        with self._lock:
            for store, counts in sorted(self._by_store.items()):
                labels = [*map(floatToGoString, self._bounds), "+Inf"]
                family.add_metric([store], list(zip(labels, counts.cumulative, strict=True)), counts.total)
        yield family


LAG = BatchHistogram(
    NAME, "From an inference event's time to the return of the log-store write that makes it searchable", BUCKETS
)
REGISTRY.register(LAG)


def observe_lag(store: str, times: Iterable[datetime], now: datetime | None = None) -> float:
    """Observe each event's lag at `now`; return the largest (0 when none)."""
    now = now or datetime.now(UTC)
    lags = [max(0.0, (now - when).total_seconds()) for when in times]
    worst = max(lags, default=0.0)
    LAG.observe_all(store, lags)
    return worst
