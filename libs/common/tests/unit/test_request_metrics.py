"""The request monitoring query: its defaults and bounds, the percentiles read off the histogram, the rollups the
standalone store is written from, and the PromQL sent to Prometheus."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from warden_common.requestmetrics import LATENCY_BUCKETS, RollupKey, Rollups
from warden_common.requestmetrics.prometheus import promql
from warden_common.requestmetrics.query import (
    BadQuery,
    Histogram,
    answer,
    bucket_index,
    build_query,
    decumulate,
    quantile,
)

NOW = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


def test_defaults_are_the_last_half_hour_in_about_120_windows_of_whole_10_seconds() -> None:
    q = build_query("seldon", "iris", None, None, None, now=NOW)
    assert (q.start, q.end, q.step_s) == (NOW - timedelta(minutes=30), NOW, 20)
    assert len(q.points) == 90 and q.points[-1] == NOW and q.points[0] == q.start + timedelta(seconds=20)
    assert build_query("seldon", "iris", NOW - timedelta(minutes=1), NOW, None).step_s == 10


@pytest.mark.parametrize(
    ("start", "end", "step", "names"),
    [
        (NOW, NOW - timedelta(seconds=1), 10, "'end'"),
        (NOW, NOW, 10, "'end'"),
        (NOW - timedelta(hours=1), NOW, 5, "'step'"),
        (NOW - timedelta(hours=1), NOW, 100_000, "'step'"),
        (NOW - timedelta(seconds=30), NOW, 60, "'step'"),
        (NOW - timedelta(days=1), NOW, 10, "at most 1100"),
    ],
)
def test_a_bad_range_or_step_says_which_parameter(start: datetime, end: datetime, step: int, names: str) -> None:
    with pytest.raises(BadQuery) as caught:
        build_query("seldon", "iris", start, end, step)
    assert caught.value.status_code == 422 and names in caught.value.message


def test_naive_times_are_utc() -> None:
    q = build_query("seldon", "iris", datetime(2026, 1, 5, 9, 0), datetime(2026, 1, 5, 10, 0), 60)
    assert q.start == datetime(2026, 1, 5, 9, 0, tzinfo=UTC) and len(q.points) == 60


def _histogram(latencies: list[float]) -> list[float]:
    counts = [0.0] * (len(LATENCY_BUCKETS) + 1)
    for value in latencies:
        counts[next((i for i, b in enumerate(LATENCY_BUCKETS) if value <= b), len(LATENCY_BUCKETS))] += 1
    return counts


def test_percentiles_from_the_buckets_are_within_a_few_percent_of_the_exact_ones() -> None:
    rng = random.Random(7)
    latencies = sorted(rng.lognormvariate(-5.5, 0.5) for _ in range(20_000))  # ~4 ms median, a long tail
    counts = _histogram(latencies)
    for q in (0.5, 0.9, 0.99):
        exact = latencies[int(q * len(latencies)) - 1]
        estimate = quantile(q, counts)
        assert estimate is not None and abs(estimate - exact) / exact < 0.05, (q, exact, estimate)


def test_quantile_follows_histogram_quantile_at_the_edges() -> None:
    assert quantile(0.5, [0.0] * (len(LATENCY_BUCKETS) + 1)) is None
    only_first = [4.0] + [0.0] * len(LATENCY_BUCKETS)
    assert quantile(0.5, only_first) == pytest.approx(LATENCY_BUCKETS[0] / 2)  # from 0 to the first bound
    beyond = [0.0] * len(LATENCY_BUCKETS) + [3.0]
    assert quantile(0.99, beyond) == LATENCY_BUCKETS[-1]  # the +Inf bucket reads as the highest bound


def test_prometheus_buckets_decumulate_by_le() -> None:
    assert bucket_index("+Inf") == len(LATENCY_BUCKETS)
    assert bucket_index("0.005") == LATENCY_BUCKETS.index(0.005) and bucket_index("5e-03") == bucket_index("0.005")
    assert bucket_index("0.0042") is None and bucket_index("x") is None
    cumulative = [(bucket_index("+Inf"), 10.0), (0, 2.0), (1, 5.0)]
    counts = decumulate(cumulative)  # type: ignore[arg-type]
    assert counts[:2] == [2.0, 3.0] and counts[-1] == 5.0 and sum(counts) == 10.0


def test_the_answer_has_every_point_and_a_total_per_predictor() -> None:
    q = build_query("seldon", "iris", NOW - timedelta(seconds=30), NOW, 10)
    ok, failed = Histogram(), Histogram()
    ok.add("200", _histogram([0.003] * 8))
    failed.add("503", _histogram([0.02] * 2))
    ok.merge(failed)
    result = answer(q, "warden", {"canary": {2: ok}, "default": {}})
    assert [p.predictor for p in result.predictors] == ["canary", "default"]
    canary = result.predictors[0]
    assert [p.requests for p in canary.points] == [0.0, 0.0, 10.0]
    assert canary.points[2].time == NOW and canary.points[2].requestsPerSecond == 1.0
    assert (canary.total.success, canary.total.failure, canary.total.codes) == (8.0, 2.0, {"200": 8.0, "503": 2.0})
    assert canary.total.requestsPerSecond == pytest.approx(10 / 30)
    assert canary.total.latencySeconds.p99 is not None and canary.total.latencySeconds.p50 is not None
    assert canary.total.latencySeconds.p50 < 0.005 < canary.total.latencySeconds.p99
    assert result.predictors[1].total.latencySeconds.p50 is None


def test_rollups_hand_over_closed_windows_and_take_back_what_was_not_stored() -> None:
    rollups = Rollups()
    key = RollupKey("seldon", "iris", "default", "predictions", 200)
    rollups.add(key, 0.003, at=1000.0)
    rollups.add(key, 0.2, at=1009.9)
    rollups.add(key, 0.004, at=1010.0)
    [closed] = rollups.take(before=1015.0)
    assert closed.window_start == datetime.fromtimestamp(1000, UTC) and closed.requests == 2
    assert sum(closed.buckets) == 2 and closed.latency_sum == pytest.approx(0.203)
    rollups.put_back([closed])
    rest = sorted(rollups.take(), key=lambda r: r.window_start)
    assert [r.requests for r in rest] == [2, 1]


def test_promql_quotes_the_label_values() -> None:
    q = build_query("seldon", 'a"b', NOW - timedelta(minutes=1), NOW, 10)
    text = promql(q)
    assert 'deployment_name="a\\"b"' in text and "[10s]" in text
    assert text.startswith(
        "sum by (predictor_name, code, le) (increase(seldon_api_executor_server_requests_seconds_bucket{"
    )
