"""A histogram observed a batch at a time exposes what `prometheus_client.Histogram` would for the same values
observed one by one."""

from __future__ import annotations

import random

import pytest
from prometheus_client import CollectorRegistry, Histogram, generate_latest

from warden_common.batch_histogram import BatchHistogram

BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 60.0)


def exposition(registry: CollectorRegistry) -> list[str]:
    return [line for line in generate_latest(registry).decode().splitlines() if "_created" not in line]


def test_batches_expose_what_one_observation_per_value_would() -> None:
    rng = random.Random(18)
    theirs_registry, ours_registry = CollectorRegistry(), CollectorRegistry()
    reference = Histogram("lag_seconds", "doc", ["store", "kind"], buckets=BUCKETS, registry=theirs_registry)
    batched = BatchHistogram("lag_seconds", "doc", ["store", "kind"], buckets=BUCKETS, registry=ours_registry)
    assert exposition(ours_registry) == exposition(theirs_registry)  # nothing observed yet: just the header
    for _ in range(50):
        labels = (rng.choice(["opensearch", "postgres"]), rng.choice(["a", "b"]))
        # Bounds themselves too: a value equal to a bound belongs to that bucket (`le`).
        values = [
            rng.choice([*BUCKETS, 0.0, rng.uniform(0, 2), rng.expovariate(0.1)]) for _ in range(rng.randrange(40))
        ]
        for value in values:
            reference.labels(*labels).observe(value)
        batched.observe_all(labels, list(values))
    ours, theirs = exposition(ours_registry), exposition(theirs_registry)
    # Counts exactly; sums to rounding (the batch adds its values in another order).
    assert [line for line in ours if "_sum" not in line] == [line for line in theirs if "_sum" not in line]
    sums = [(float(a.rsplit(" ", 1)[1]), float(b.rsplit(" ", 1)[1]))
            for a, b in zip(ours, theirs, strict=True) if "_sum" in a]  # fmt: skip
    assert len(sums) == 4 and all(a == pytest.approx(b, rel=1e-12) for a, b in sums)


def test_label_values_must_match_the_label_names() -> None:
    histogram = BatchHistogram("h", "doc", ["store"], buckets=BUCKETS, registry=None)
    with pytest.raises(ValueError, match="has labels"):
        histogram.observe_all(("a", "b"), [1.0])
