"""The load run's summary: its percentiles equal hdrh's own walk over the counts, its mean is exact."""

from __future__ import annotations

import random

import pytest
from hdrh.histogram import HdrHistogram

from warden_gateway.loadtests.generator import LoadRun, _percentiles_us

PERCENTILES = (0.1, 50, 90, 99, 99.9, 100)


def _histogram(values: list[int]) -> HdrHistogram:
    histogram = HdrHistogram(1, 3_600_000_000, 3)
    for value in values:
        histogram.record_value(value)
    return histogram


@pytest.mark.parametrize(
    "values",
    [
        [7],
        [5000] * 100,
        [1, 3_600_000_000],
        [int(random.Random(1).lognormvariate(9, 0.6)) + 1 for _ in range(20_000)],
        [random.Random(2).randint(1, 2048) for _ in range(5_000)],  # the first, linear buckets
        [2047, 2048, 2049, 4095, 4096, 4097] * 10,  # bucket edges
    ],
    ids=["one", "constant", "extremes", "lognormal", "linear-range", "bucket-edges"],
)
def test_percentiles_equal_hdrh_walking_its_counts(values: list[int]) -> None:
    histogram = _histogram(values)
    expected = [histogram.get_value_at_percentile(p) for p in PERCENTILES]
    assert _percentiles_us(histogram, PERCENTILES) == expected


def test_summary_reports_an_exact_mean_and_each_endpoint_apart() -> None:
    run = LoadRun()
    for latency_us, endpoint in ((1000, "default"), (2000, "default"), (9000, "canary")):
        run.record(endpoint, "200", latency_us)
    run.record("canary", "503", 4000)
    summary = run.summary()
    assert summary["latencyMs"]["mean"] == 4.0
    assert summary["requests"] == 4 and summary["failed"] == 1 and summary["errors"] == {"503": 1}
    assert summary["endpoints"]["default"]["latencyMs"]["mean"] == 1.5
    assert summary["endpoints"]["canary"]["latencyMs"]["p50"] == pytest.approx(4.0, rel=1e-3)
    assert summary["endpoints"]["canary"]["latencyMs"]["max"] == pytest.approx(9.0, rel=1e-3)


def test_an_empty_run_summarizes_to_zeros() -> None:
    assert LoadRun().summary()["latencyMs"] == {"p50": 0.0, "p90": 0.0, "p99": 0.0, "max": 0.0, "mean": 0.0}
