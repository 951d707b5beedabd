"""`observe_lag`: one observation per event, the worst returned, an event from the future counted as no lag."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prometheus_client import generate_latest

from warden_request_logger.lag import observe_lag

NAME = "warden_request_log_lag_seconds"


def series() -> dict[str, float]:
    lines = [line for line in generate_latest().decode().splitlines() if line.startswith(NAME)]
    return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in lines}


def test_observe_lag_returns_the_worst_and_counts_events_from_the_future_as_no_lag() -> None:
    now = datetime(2026, 12, 6, tzinfo=UTC)
    before = series()
    times = [now - timedelta(seconds=0.2), now + timedelta(seconds=5), now - timedelta(seconds=4)]
    assert observe_lag("unit", times, now) == 4.0
    assert observe_lag("unit", [], now) == 0.0
    after = series()

    def grew(name: str) -> float:
        return after[name] - before.get(name, 0.0)

    assert grew(f'{NAME}_count{{store="unit"}}') == 3
    assert grew(f'{NAME}_bucket{{le="0.05",store="unit"}}') == 1  # the future one, as 0
    assert grew(f'{NAME}_bucket{{le="0.25",store="unit"}}') == 2
    assert grew(f'{NAME}_bucket{{le="3.0",store="unit"}}') == 2
    assert grew(f'{NAME}_bucket{{le="5.0",store="unit"}}') == 3
    assert abs(grew(f'{NAME}_sum{{store="unit"}}') - 4.2) < 1e-9
