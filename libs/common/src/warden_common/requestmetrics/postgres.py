"""Warden's own request metrics store (standalone): 10-second rollups in PostgreSQL, kept for a retention period.

The data plane writes (`write`, `delete_older_than`); the gateway reads (`query`). The schema is recorded under
the name `requestmetrics` and migrated by whoever opens the store in standalone mode.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from functools import cache

import asyncpg

from warden_common.db.migrations import Migration, load_migrations
from warden_common.requestmetrics.query import Histogram, RequestMetricsPublic, RequestQuery, answer
from warden_common.requestmetrics.rollup import LATENCY_BUCKETS, WindowRow

SERVICE = "requestmetrics"


@cache
def migrations() -> list[Migration]:
    return load_migrations("warden_common.requestmetrics", "migrations")


_UPSERT = """
INSERT INTO request_metrics AS r
    (window_start, namespace, deployment, predictor, service, code, requests, latency_sum, buckets)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (namespace, deployment, window_start, predictor, service, code) DO UPDATE SET
    requests = r.requests + EXCLUDED.requests,
    latency_sum = r.latency_sum + EXCLUDED.latency_sum,
    buckets = ARRAY(SELECT a + b FROM unnest(r.buckets, EXCLUDED.buckets) WITH ORDINALITY AS t(a, b, i) ORDER BY i)
"""

# One row per (predictor, code, point, bucket) with requests in it: the arrays are summed in SQL, per point.
_QUERY = """
SELECT predictor, code, floor(extract(epoch FROM window_start - $4) / $6)::int AS point,
       b.i - 1 AS bucket, sum(b.n)::float8 AS n
FROM request_metrics, unnest(buckets) WITH ORDINALITY AS b(n, i)
WHERE namespace = $1 AND deployment = $2 AND service = $3
  AND window_start >= $4 AND window_start < $5 AND b.n > 0
GROUP BY 1, 2, 3, 4
"""


async def write(pool: asyncpg.Pool, rows: Sequence[WindowRow]) -> None:
    """Add `rows` to the store (added to what a window already has, so a late or repeated flush adds up)."""
    if not rows:
        return
    args = [
        (r.window_start, r.key.namespace, r.key.deployment, r.key.predictor, r.key.service, r.key.code,
         r.requests, r.latency_sum, list(r.buckets))
        for r in rows
    ]  # fmt: skip
    async with pool.acquire() as conn:
        await conn.executemany(_UPSERT, args)


async def delete_older_than(pool: asyncpg.Pool, cutoff: datetime) -> int:
    """Drop windows that started before `cutoff`; how many rows went."""
    async with pool.acquire() as conn:
        status = await conn.execute("DELETE FROM request_metrics WHERE window_start < $1", cutoff)
    return int(status.split()[-1])


async def query(pool: asyncpg.Pool, q: RequestQuery) -> RequestMetricsPublic:
    """The answer from the stored windows that started in `[start, end)`; a 10-second window counts in the
    point whose range holds its start."""
    windows: dict[str, dict[int, Histogram]] = defaultdict(dict)
    bucket_rows: dict[tuple[str, int, int], list[tuple[int, float]]] = defaultdict(list)
    async with pool.acquire() as conn:
        rows = await conn.fetch(_QUERY, q.namespace, q.deployment, q.service, q.start, q.end, q.step_s)
    for row in rows:
        bucket_rows[(row["predictor"], row["code"], row["point"])].append((row["bucket"], row["n"]))
    for (predictor, code, point), buckets in bucket_rows.items():
        if not 0 <= point < len(q.points):
            continue
        counts = [0.0] * (len(LATENCY_BUCKETS) + 1)
        for index, n in buckets:
            counts[index] = n
        windows[predictor].setdefault(point, Histogram()).add(str(code), counts)
    return answer(q, "warden", windows)
