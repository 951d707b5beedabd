"""SQL of `gateway.usage_samples` (callers own the transactions)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg


async def insert_samples(conn: asyncpg.Connection, ts: datetime, samples: list[dict[str, Any]]) -> None:
    await conn.executemany(
        """INSERT INTO gateway.usage_samples (ts, namespace, kind, deployment, predictor, processes, cpu_cores,
                   memory_bytes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING""",
        [(ts, s["namespace"], s["kind"], s["name"], s["predictor"], int(s["processes"]), float(s["cpuCores"]),
          int(s["memoryBytes"])) for s in samples],
    )  # fmt: skip


async def delete_older_than(conn: asyncpg.Connection, hours: float) -> None:
    await conn.execute("DELETE FROM gateway.usage_samples WHERE ts < now() - make_interval(secs => $1)", hours * 3600)


async def buckets(
    conn: asyncpg.Connection, *, start: datetime, end: datetime, step_s: float,
    namespace: str | None = None, kind: str | None = None, deployment: str | None = None,
) -> list[asyncpg.Record]:  # fmt: skip
    """Per deployment and `step_s` bucket from `start`: the mean over the bucket's samples of the deployment's
    processes, CPU cores and resident bytes (each sample summed over its predictors first)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """WITH per_sample AS (
               SELECT ts, namespace, kind, deployment, sum(processes) AS processes, sum(cpu_cores) AS cpu_cores,
                      sum(memory_bytes) AS memory_bytes
                 FROM gateway.usage_samples
                WHERE ts >= $1 AND ts < $2 AND ($4::text IS NULL OR namespace = $4)
                  AND ($5::text IS NULL OR kind = $5) AND ($6::text IS NULL OR deployment = $6)
                GROUP BY ts, namespace, kind, deployment)
           SELECT date_bin(make_interval(secs => $3), ts, $1) AS bucket, namespace, kind, deployment,
                  avg(processes)::float8 AS processes, avg(cpu_cores)::float8 AS cpu_cores,
                  avg(memory_bytes)::float8 AS memory_bytes
             FROM per_sample GROUP BY 1, 2, 3, 4 ORDER BY namespace, kind, deployment, bucket""",
        start, end, step_s, namespace, kind, deployment,
    )  # fmt: skip
    return rows
