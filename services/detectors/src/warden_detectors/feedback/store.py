"""Metrics servers' feedback counts in PostgreSQL (migration 0003) and their summary over a time range.

Counts are added into time buckets (`bucket_seconds`, one minute by default, aligned to the Unix epoch in UTC):
a bucket belongs to a range `[start, end)` when the bucket's start does, so ranges have the bucket's resolution.
Adding is an upsert that sums, so concurrent writers (several consumers) never lose counts. The summary reads
`sum()`s grouped by class - a handful of rows whatever the feedback volume - and derives the ratios from them
(`summary.py`). True negatives are derived, not stored: see the migration.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime

import asyncpg

from warden_common.events.deployments import DeploymentKind
from warden_detectors.feedback.counting import ClassCounts
from warden_detectors.feedback.summary import MetricsSummary, summarize

_KEY = "namespace = $1 AND deployment_kind = $2 AND deployment = $3 AND detector = $4"
_RANGE = "($5::timestamptz IS NULL OR bucket >= $5) AND ($6::timestamptz IS NULL OR bucket < $6)"

_ADD_ROWS = """
INSERT INTO warden_detectors.feedback_rows AS t
    (namespace, deployment_kind, deployment, detector, bucket, rows, correct)
SELECT $1, $2, $3, $4, b.bucket, b.rows, b.correct
FROM unnest($5::timestamptz[], $6::bigint[], $7::bigint[]) AS b(bucket, rows, correct)
ON CONFLICT (namespace, deployment_kind, deployment, detector, bucket)
DO UPDATE SET rows = t.rows + excluded.rows, correct = t.correct + excluded.correct
"""
_ADD_CLASSES = """
INSERT INTO warden_detectors.feedback_class_counts AS t
    (namespace, deployment_kind, deployment, detector, bucket, class_label, tp, fp, fn)
SELECT $1, $2, $3, $4, c.bucket, c.class_label, c.tp, c.fp, c.fn
FROM unnest($5::timestamptz[], $6::text[], $7::bigint[], $8::bigint[], $9::bigint[])
    AS c(bucket, class_label, tp, fp, fn)
ON CONFLICT (namespace, deployment_kind, deployment, detector, bucket, class_label)
DO UPDATE SET tp = t.tp + excluded.tp, fp = t.fp + excluded.fp, fn = t.fn + excluded.fn
"""
_SUM_ROWS = f"""
SELECT coalesce(sum(rows), 0)::bigint AS rows, coalesce(sum(correct), 0)::bigint AS correct
FROM warden_detectors.feedback_rows WHERE {_KEY} AND {_RANGE}
"""
_SUM_CLASSES = f"""
SELECT class_label, sum(tp)::bigint AS tp, sum(fp)::bigint AS fp, sum(fn)::bigint AS fn
FROM warden_detectors.feedback_class_counts WHERE {_KEY} AND {_RANGE}
GROUP BY class_label
"""


class FeedbackMetricsStore:
    """Adds feedback counts and summarises them; `pool` from `warden_common.db.open_pool`."""

    def __init__(self, pool: asyncpg.Pool, *, bucket_seconds: int = 60) -> None:
        if bucket_seconds < 1:
            raise ValueError("bucket_seconds must be at least 1")
        self.pool = pool
        self.bucket_seconds = bucket_seconds

    def bucket_of(self, at: datetime) -> datetime:
        """The start of the bucket holding `at` (a naive time is taken as UTC)."""
        at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
        seconds = math.floor(at.timestamp()) // self.bucket_seconds * self.bucket_seconds  # floor: also before 1970
        return datetime.fromtimestamp(seconds, UTC)

    async def add(
        self, namespace: str, kind: str, deployment: str, detector: str, at: datetime, counts: ClassCounts
    ) -> None:
        """Add the counts of one feedback received at `at`."""
        await self.add_many(namespace, kind, deployment, detector, [(at, counts)])

    async def add_many(
        self,
        namespace: str,
        kind: str,
        deployment: str,
        detector: str,
        feedback: Iterable[tuple[datetime, ClassCounts]],
    ) -> None:
        """Add the counts of many feedbacks of one metrics server at once (a consumer's batch): summed per bucket
        first, then written in one transaction - all of them or none."""
        rows: dict[datetime, list[int]] = defaultdict(lambda: [0, 0])
        classes: dict[tuple[datetime, str], list[int]] = defaultdict(lambda: [0, 0, 0])
        for at, counts in feedback:
            bucket = self.bucket_of(at)
            rows[bucket][0] += counts.rows
            rows[bucket][1] += counts.correct
            for label, count in counts.classes.items():
                if count.tp or count.fp or count.fn:  # TN is derived from the rows (see the migration)
                    sums = classes[(bucket, label)]
                    sums[0] += count.tp
                    sums[1] += count.fp
                    sums[2] += count.fn
        if not rows:
            return
        key = (namespace, kind, deployment, detector)
        # Sorted keys: concurrent writers upsert the same rows in the same order, so they cannot deadlock.
        row_keys = sorted(rows)
        class_keys = sorted(classes)
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(
                _ADD_ROWS, *key, row_keys, [rows[b][0] for b in row_keys], [rows[b][1] for b in row_keys]
            )
            if class_keys:
                await conn.execute(
                    _ADD_CLASSES, *key, [b for b, _ in class_keys], [label for _, label in class_keys],
                    *([classes[k][i] for k in class_keys] for i in range(3)),
                )  # fmt: skip

    async def summary(
        self,
        namespace: str,
        kind: DeploymentKind,
        deployment: str,
        detector: str,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> MetricsSummary:
        """Counts and ratios per class and overall of the buckets starting in [start, end) (None: unbounded)."""
        args = (namespace, kind, deployment, detector, start, end)
        async with self.pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            # One snapshot: the rows and the class counts come from the same set of adds.
            totals = await conn.fetchrow(_SUM_ROWS, *args)
            class_rows = await conn.fetch(_SUM_CLASSES, *args)
        assert totals is not None  # an aggregate without GROUP BY always returns one row
        sums = [(r["class_label"], r["tp"], r["fp"], r["fn"]) for r in class_rows]
        return summarize(totals["rows"], totals["correct"], sums, start=start, end=end)

    async def delete(self, namespace: str, kind: DeploymentKind, deployment: str, detector: str) -> None:
        """Forget a metrics server's counts (when it is deleted)."""
        async with self.pool.acquire() as conn, conn.transaction():
            for table in ("feedback_rows", "feedback_class_counts"):
                await conn.execute(f"DELETE FROM warden_detectors.{table} WHERE {_KEY}", namespace, kind, deployment,
                                   detector)  # fmt: skip
