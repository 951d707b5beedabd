"""How long logged predictions take to become searchable: the `warden_request_log_lag_seconds` histogram.

Observed once per stored event, from the event's own `time` (set by whoever published it: the executor, a
detector) to the moment the log-store write holding its documents returned: bus, consumer queueing, batching
linger and the write itself. On PostgreSQL that is when they are searchable (the write commits before it
returns). On OpenSearch it is too with `opensearch.wait_for_refresh` (`refresh=wait_for`); by default the write
returns once indexed and the documents become searchable at the next refresh, at most the index template's
`refresh_interval` (250 ms by default) later: add that bound when reading the histogram. Events without a time
are not observed; an event replayed long after its time shows as the lag it really had.

Stage timings per batch (age at consume, build, store) are logged at debug level by the service. The histogram
takes a batch at once (`BatchHistogram`): observing each event on its own was ~3% of the logger's CPU.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from warden_common.batch_histogram import BatchHistogram

BUCKETS = (0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 30.0, 60.0, 300.0)

LAG = BatchHistogram(
    "warden_request_log_lag_seconds",
    "From an inference event's time to the return of the log-store write that makes it searchable",
    ["store"],
    buckets=BUCKETS,
)


def observe_lag(store: str, times: Iterable[datetime], now: datetime | None = None) -> float:
    """Observe each event's lag at `now`; return the largest (0 when none)."""
    now = now or datetime.now(UTC)
    lags = [max(0.0, (now - when).total_seconds()) for when in times]
    worst = max(lags, default=0.0)
    LAG.observe_all((store,), lags)
    return worst
