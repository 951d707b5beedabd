"""Feature distributions on the PostgreSQL log store: one grouped SQL statement per query.

The statement reads the narrow `elements` column (the request's and response's named elements, kept in step with
the document by PostgreSQL) and groups the matching instances by time slice, by class (PROBA / ONE_HOT) and by
histogram bucket or category; each group's count, min, max and sum are folded into the `DistributionResult`.
Every name and value is a parameter (element names are `->` text parameters), never pasted text.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from warden_common.logstore import distributions as dist
from warden_common.logstore import postgres_sql as sql

_NUMBER = "CASE WHEN jsonb_typeof({x}) = 'number' THEN ({x})::float8 END"
_TEXT = "CASE WHEN jsonb_typeof({x}) IN ('string', 'number', 'boolean') THEN {x} #>> '{{}}' END"


def _where(query: dist.DistributionQuery) -> sql.Where:
    where = sql.where_for(query.scope())
    if query.outlier is False:
        where.add("is_outlier IS NOT TRUE")
    if not query.include_loadtest:
        where.add("NOT loadtest")
    for condition in query.cohort:
        where.add(_cohort_condition(where, condition))
    return where


def _at(where: sql.Where, part: str, name: str, category: str | None = None) -> str:
    """The element as jsonb: `->` per step (a `#>` path array would be taken apart again for every row)."""
    steps = [part, name] if category is None else [part, name, category]
    return "i.elements" + "".join(f" -> {where.param(step)}::text" for step in steps)


def _cohort_condition(where: sql.Where, condition: dist.CohortCondition) -> str:
    at = _at(where, condition.part, condition.name, condition.category)
    if condition.terms is not None:
        return f"({_TEXT.format(x=at)}) = ANY({where.param(list(condition.terms))}::text[])"
    number = _NUMBER.format(x=at)
    parts = [f"({number}) {op} {where.param(value)}::float8"
             for op, value in ((">", condition.gt), (">=", condition.gte), ("<", condition.lt), ("<=", condition.lte))
             if value is not None]  # fmt: skip
    return " AND ".join(parts) if parts else f"({number}) IS NOT NULL"


def statement(query: dist.DistributionQuery) -> tuple[str, list[Any]]:
    """The grouped SELECT of `query`: rows (slice, class, key, rows, count, min, max, sum, first, last)."""
    where = _where(query)
    if query.time_buckets and query.start is not None and query.end is not None:
        start_ms = where.param(float(dist.epoch_ms(query.start)))
        width = where.param(float(dist.slice_width_ms(query.start, query.end, query.time_buckets)))
        # date_part is float8 arithmetic; extract() would be numeric, several times slower per row
        time_slice = f"floor((date_part('epoch', ts) * 1000 - {start_ms}::float8) / {width}::float8)::int"
    else:
        time_slice = "0"
    element = _at(where, query.part, query.feature)
    if query.kind == "classes":
        names = where.param(list(query.classes))
        classes = f"CROSS JOIN LATERAL unnest({names}::text[]) WITH ORDINALITY AS c(name, ord)"
        x, cls, first = f"({element}) -> c.name", "c.name", "c.ord = 1"
    else:
        classes, x, cls, first = "", element, "''", "TRUE"
    if query.kind == "categories":
        value, key = "NULL::float8", _TEXT.format(x="x")
    else:
        value = _NUMBER.format(x="x")
        interval = query.histogram_interval
        key = f"floor(v / {where.param(interval)}::float8)::text" if interval else "NULL::text"
    # The innermost SELECT reads each instance's element once (OFFSET 0 keeps it from being inlined into every
    # expression that uses it); groups are few (slices x classes x buckets), so they are hashed, not sorted.
    text = f"""
        SELECT slice, cls, key, count(*) FILTER (WHERE first) AS rows, count(v) AS n, min(v), max(v), sum(v),
               min(ts), max(ts)
        FROM (
            SELECT slice, cls, first, ts, v, {key} AS key
            FROM (
                SELECT slice, cls, first, ts, x, {value} AS v
                FROM (
                    SELECT {time_slice} AS slice, {cls} AS cls, {first} AS first, ts, {x} AS x
                    FROM warden_logs.instances i {classes}
                    WHERE {where.sql()}
                    OFFSET 0
                ) e
            ) f
        ) g
        GROUP BY slice, cls, key
    """
    return text, where.params


async def distribution(conn: asyncpg.Connection, query: dist.DistributionQuery) -> dist.DistributionResult:
    text, params = statement(query)
    async with conn.transaction(readonly=True):
        await conn.execute("SET LOCAL enable_sort = off")  # hash the few groups; sorting spilled rows to disk
        rows = await conn.fetch(text, *params)
    return assemble(query, [tuple(r) for r in rows])


def assemble(query: dist.DistributionQuery, rows: list[tuple[Any, ...]]) -> dist.DistributionResult:
    overall = dist.Slice()
    slices: dict[int, dist.Slice] = {}
    interval = query.histogram_interval
    first = last = None
    for slice_index, cls, key, instances, count, low, high, total, earliest, latest in rows:
        if earliest is not None:
            first = earliest if first is None else min(first, earliest)
            last = latest if last is None else max(last, latest)
        targets = [overall]
        if query.time_buckets:
            targets.append(slices.setdefault(int(slice_index), dist.Slice()))
        for target in targets:
            target.instances += int(instances)
            if query.kind == "categories":
                if key is not None:
                    target.categories[key] = target.categories.get(key, 0) + int(instances)
                continue
            numbers = target.numbers.setdefault(cls, dist.NumberAggregate())
            numbers.add(int(count), low, high, float(total or 0.0))
            if interval and key is not None and count:
                bucket = int(key) * interval
                numbers.histogram[bucket] = numbers.histogram.get(bucket, 0) + int(count)
    return dist.finish(query, overall, slices, first, last)
