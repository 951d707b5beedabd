"""Warden's own request metrics store on a real PostgreSQL: rows written twice for a window add up, a query sums
the windows of each point and predictor, and retention deletes only what is past it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from warden_common.db import open_pool, prepare_schema
from warden_common.requestmetrics import LATENCY_BUCKETS, RollupKey, WindowRow
from warden_common.requestmetrics import postgres as store
from warden_common.requestmetrics.query import build_query

pytestmark = pytest.mark.integration

T0 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


def row(seconds: int, predictor: str, code: int, latencies: dict[int, int]) -> WindowRow:
    """A window `seconds` after T0 with `latencies` = {bucket index: requests}."""
    buckets = [0] * (len(LATENCY_BUCKETS) + 1)
    for index, count in latencies.items():
        buckets[index] = count
    key = RollupKey("seldon", "iris", predictor, "predictions", code)
    return WindowRow(T0 + timedelta(seconds=seconds), key, sum(buckets), 0.01 * sum(buckets), tuple(buckets))


async def test_write_query_and_retention(fresh_database: str) -> None:
    await prepare_schema(fresh_database, store.SERVICE, store.migrations(), migrate=True)
    async with open_pool(fresh_database, max_size=2) as pool:
        await store.write(pool, [row(0, "default", 200, {7: 5}), row(10, "default", 200, {7: 1}),
                                 row(20, "canary", 503, {20: 2}), row(70, "default", 200, {7: 9})])  # fmt: skip
        await store.write(
            pool, [row(0, "default", 200, {7: 3, len(LATENCY_BUCKETS): 1})]
        )  # the same window again: added
        q = build_query("seldon", "iris", T0, T0 + timedelta(seconds=60), 30)
        answer = await store.query(pool, q)
        by_name = {p.predictor: p for p in answer.predictors}
        assert sorted(by_name) == ["canary", "default"] and answer.source == "warden"
        default = by_name["default"]
        assert [p.requests for p in default.points] == [10.0, 0.0]  # 5 + 3 + 1 + 1; the 70 s window is outside
        assert default.total.codes == {"200": 10.0}
        assert default.total.latencySeconds.p99 == LATENCY_BUCKETS[-1]  # one request in the unbounded bucket
        canary = by_name["canary"]
        assert canary.points[0].failure == 2.0 and canary.total.codes == {"503": 2.0}

        assert await store.delete_older_than(pool, T0 + timedelta(seconds=15)) == 2  # default at 0 s and 10 s
        after = await store.query(pool, q)
        assert {p.predictor: p.total.requests for p in after.predictors} == {"canary": 2.0}
