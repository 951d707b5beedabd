"""The lag histogram observed a batch at a time exposes what `prometheus_client.Histogram` would for the same
values observed one by one."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import CollectorRegistry, Histogram, generate_latest

from warden_request_logger.lag import BUCKETS, NAME, BatchHistogram, observe_lag


def exposition(collector: object) -> list[str]:
    registry = CollectorRegistry()
    registry.register(collector)  # type: ignore[arg-type]
    return [line for line in generate_latest(registry).decode().splitlines() if "_created" not in line]


def test_batches_expose_what_one_observation_per_value_would() -> None:
    rng = random.Random(18)
    reference = Histogram(NAME, "doc", ["store"], buckets=BUCKETS, registry=None)
    batched = BatchHistogram(NAME, "doc", BUCKETS)
    for _ in range(50):
        store = rng.choice(["opensearch", "postgres"])
        # Bounds themselves too: a value equal to a bound belongs to that bucket (`le`).
        values = [
            rng.choice([*BUCKETS, 0.0, rng.uniform(0, 2), rng.expovariate(0.1)]) for _ in range(rng.randrange(0, 40))
        ]
        for value in values:
            reference.labels(store=store).observe(value)
        batched.observe_all(store, list(values))
    ours, theirs = exposition(batched), exposition(reference)
    # Counts exactly; sums to rounding (the batch adds its values in another order).
    assert [line for line in ours if "_sum" not in line] == [line for line in theirs if "_sum" not in line]
    sums = [(float(a.rsplit(" ", 1)[1]), float(b.rsplit(" ", 1)[1]))
            for a, b in zip(ours, theirs, strict=True) if "_sum" in a]  # fmt: skip
    assert len(sums) == 2 and all(a == pytest.approx(b, rel=1e-12) for a, b in sums)


def test_observe_lag_returns_the_worst_and_counts_events_from_the_future_as_no_lag() -> None:
    now = datetime(2026, 12, 6, tzinfo=UTC)
    before = {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in exposition_of_registered()}
    times = [now - timedelta(seconds=0.2), now + timedelta(seconds=5), now - timedelta(seconds=4)]
    assert observe_lag("unit", times, now) == 4.0
    assert observe_lag("unit", [], now) == 0.0
    after = {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in exposition_of_registered()}

    def grew(series: str) -> float:
        return after[series] - before.get(series, 0.0)

    assert grew(f'{NAME}_count{{store="unit"}}') == 3
    assert grew(f'{NAME}_bucket{{le="0.05",store="unit"}}') == 1  # the future one, as 0
    assert grew(f'{NAME}_bucket{{le="0.25",store="unit"}}') == 2
    assert grew(f'{NAME}_bucket{{le="3.0",store="unit"}}') == 2
    assert grew(f'{NAME}_bucket{{le="5.0",store="unit"}}') == 3
    assert abs(grew(f'{NAME}_sum{{store="unit"}}') - 4.2) < 1e-9


def exposition_of_registered() -> list[str]:
    return [line for line in generate_latest().decode().splitlines() if line.startswith(NAME)]
