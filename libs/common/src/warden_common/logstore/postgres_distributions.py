"""Feature distributions on the PostgreSQL log store: one grouped SQL statement per query.

The statement reads each element it needs from the instance's typed slot arrays (`postgres_slots`:
`request_numbers[slot]`, `request_labels[slot]`, written by the store with the part) when the element has a slot,
else from the narrow `elements` JSONB column (an element beyond the slot limit), and groups the matching instances
by time slice, by class (PROBA / ONE_HOT) and by histogram bucket or category; each group's count, min, max and sum
are folded into the `DistributionResult`. Every name, slot and value is a parameter, never pasted text.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from warden_common.logstore import distributions as dist
from warden_common.logstore import postgres_slots
from warden_common.logstore import postgres_sql as sql
from warden_common.logstore.postgres_slots import Path

Slots = dict[str, dict[Path, int]]
"""A deployment's slots by part (`postgres_slots.read`); None: read every element from `elements`."""

_NUMBERS = {"request": "i.request_numbers", "response": "i.response_numbers"}  # constants, never input
_LABELS = {"request": "i.request_labels", "response": "i.response_labels"}

_NUMBER = "CASE WHEN jsonb_typeof({x}) = 'number' THEN ({x})::float8 END"
_TEXT = "CASE WHEN jsonb_typeof({x}) IN ('string', 'number', 'boolean') THEN {x} #>> '{{}}' END"


def _where(query: dist.DistributionQuery, slots: Slots | None) -> sql.Where:
    where = sql.where_for(query.scope())
    if query.outlier is False:
        where.add("is_outlier IS NOT TRUE")
    if not query.include_loadtest:
        where.add("NOT loadtest")
    for condition in query.cohort:
        where.add(_cohort_condition(where, condition, slots))
    return where


def _slot(slots: Slots | None, part: str, path: Path) -> int | bool | None:
    """The element's slot; False: no instance has a scalar there (no slot while slots are free); None: unknown."""
    if slots is None:
        return None
    of_part = slots.get(part, {})
    if path in of_part:
        return of_part[path]
    return False if len(of_part) < postgres_slots.MAX_SLOTS else None


def _element(where: sql.Where, slots: Slots | None, part: str, path: Path, *, as_text: bool) -> str:
    """The element as float8 (or text): from its slot, NULL when no instance has it, else read from JSONB."""
    slot = _slot(slots, part, path)
    if slot is False:
        return "NULL::text" if as_text else "NULL::float8"
    if slot is None:
        return (_TEXT if as_text else _NUMBER).format(x=_at(where, part, *path))
    at = where.param(slot)
    number = f"{_NUMBERS[part]}[{at}::int]"
    if not as_text:
        return number
    # Numbers other than integers keep the text PostgreSQL gives them in `elements` (e.g. 1e-05 -> 0.00001).
    from_jsonb = _TEXT.format(x=_at(where, part, *path))
    return f"COALESCE({_LABELS[part]}[{at}::int], CASE WHEN {number} IS NOT NULL THEN {from_jsonb} END)"


def _number(where: sql.Where, slots: Slots | None, part: str, path: Path) -> str:
    return _element(where, slots, part, path, as_text=False)


def _text(where: sql.Where, slots: Slots | None, part: str, path: Path) -> str:
    return _element(where, slots, part, path, as_text=True)


def _at(where: sql.Where, part: str, name: str, category: str | None = None) -> str:
    """The element as jsonb: `->` per step (a `#>` path array would be taken apart again for every row)."""
    steps = [part, name] if category is None else [part, name, category]
    return "i.elements" + "".join(f" -> {where.param(step)}::text" for step in steps)


def _cohort_condition(where: sql.Where, condition: dist.CohortCondition, slots: Slots | None) -> str:
    path = (condition.name,) if condition.category is None else (condition.name, condition.category)
    if condition.terms is not None:
        return f"({_text(where, slots, condition.part, path)}) = ANY({where.param(list(condition.terms))}::text[])"
    number = _number(where, slots, condition.part, path)
    parts = [f"({number}) {op} {where.param(value)}::float8"
             for op, value in ((">", condition.gt), (">=", condition.gte), ("<", condition.lt), ("<=", condition.lte))
             if value is not None]  # fmt: skip
    return " AND ".join(parts) if parts else f"({number}) IS NOT NULL"


def statement(query: dist.DistributionQuery, slots: Slots | None = None) -> tuple[str, list[Any]]:
    """The grouped SELECT of `query`: rows (slice, class, key, rows, count, min, max, sum, first, last).

    `slots`: the deployment's element slots (read in the same snapshot); None reads every element from JSONB."""
    paths: list[Path] = [(query.feature, c) for c in query.classes] if query.kind == "classes" else [(query.feature,)]
    if any(_slot(slots, query.part, path) is None for path in paths):
        return _jsonb_statement(query, slots)
    where = _where(query, slots)
    time_slice = _time_slice(where, query)
    if query.kind == "classes" and len(paths) <= JOINT_CLASSES:
        return _joint_classes(query, slots, where, time_slice, paths), where.params
    classes, cls, first, text = "", "''", "TRUE", "NULL::text"
    if query.kind == "classes":
        numbers = where.param([_slot(slots, query.part, path) or None for path in paths])
        names = where.param(list(query.classes))
        classes = f"CROSS JOIN LATERAL unnest({numbers}::int[], {names}::text[]) WITH ORDINALITY AS c(slot, name, ord)"
        value, cls, first = f"{_NUMBERS[query.part]}[c.slot]", "c.name", "c.ord = 1"
    elif query.kind == "categories":
        value, text = "NULL::float8", _text(where, slots, query.part, paths[0])
    else:
        value = _number(where, slots, query.part, paths[0])
    if query.kind == "categories":
        key = "t"
    else:  # a number key: hashing it is cheaper than formatting it as text first
        interval = query.histogram_interval
        key = f"floor(v / {where.param(interval)}::float8)" if interval else "NULL::float8"
    # Array subscripts are cheap enough to repeat, so PostgreSQL may flatten this (and scan in parallel).
    rows = f"""
        SELECT {time_slice} AS slice, {cls} AS cls, {first} AS first, ts, {value} AS v, {text} AS t
        FROM warden_logs.instances i {classes}
        WHERE {where.sql()}
    """
    return _grouped(rows, key), where.params


def _grouped(rows: str, key: str) -> str:
    """`rows` (slice, cls, first, ts, v, ...) grouped by slice, class and `key`: the statement's result rows."""
    return f"""
        SELECT slice, cls, key, count(*) FILTER (WHERE first) AS rows, count(v) AS n, min(v), max(v), sum(v),
               min(ts), max(ts)
        FROM (SELECT slice, cls, first, ts, v, {key} AS key FROM ({rows}) f) g
        GROUP BY slice, cls, key
    """


JOINT_CLASSES = 8
"""Classes a query groups in one pass (one group per combination of the classes' buckets); more: one per class."""


def _joint_classes(query: dist.DistributionQuery, slots: Slots | None, where: sql.Where, time_slice: str,
                   paths: list[Path]) -> str:  # fmt: skip
    """The classes of each instance aggregated in one pass, grouped by the combination of their buckets (few: the
    classes of a PROBA output add up to 1, a ONE_HOT group has one 1), then taken apart per class by the outer
    SELECT over those few groups: the same rows as a per-class statement, without a row per instance and class."""
    values = [_number(where, slots, query.part, path) for path in paths]
    interval = where.param(query.histogram_interval) if query.histogram_interval else None
    keys = [f"floor(v{n} / {interval}::float8) AS k{n}" if interval else f"NULL::float8 AS k{n}"
            for n in range(len(paths))]  # fmt: skip
    aggregates = "".join(f"count(v{n}) AS n{n}, min(v{n}) AS lo{n}, max(v{n}) AS hi{n}, sum(v{n}) AS s{n}, "
                         for n in range(len(paths)))  # fmt: skip
    per_class = ", ".join(f"({where.param(name)}::text, j.k{n}, j.n{n}, j.lo{n}, j.hi{n}, j.s{n}, {n == 0})"
                          for n, name in enumerate(query.classes))  # fmt: skip
    columns = ", ".join(f"{value} AS v{n}" for n, value in enumerate(values))
    return f"""
        SELECT j.slice, c.name, c.key, COALESCE(sum(j.rows) FILTER (WHERE c.first), 0), sum(c.n), min(c.lo),
               max(c.hi), sum(c.total), min(j.first_ts), max(j.last_ts)
        FROM (
            SELECT slice, {", ".join(f"k{n}" for n in range(len(paths)))}, count(*) AS rows, {aggregates}
                   min(ts) AS first_ts, max(ts) AS last_ts
            FROM (
                SELECT slice, ts, {", ".join(f"v{n}" for n in range(len(paths)))}, {", ".join(keys)}
                FROM (
                    SELECT {time_slice} AS slice, ts, {columns}
                    FROM warden_logs.instances i
                    WHERE {where.sql()}
                ) f
            ) g
            GROUP BY slice, {", ".join(f"k{n}" for n in range(len(paths)))}
        ) j
        CROSS JOIN LATERAL (VALUES {per_class}) AS c(name, key, n, lo, hi, total, first)
        GROUP BY j.slice, c.name, c.key
    """


def _time_slice(where: sql.Where, query: dist.DistributionQuery) -> str:
    if query.time_buckets and query.start is not None and query.end is not None:
        start_ms = where.param(float(dist.epoch_ms(query.start)))
        width = where.param(float(dist.slice_width_ms(query.start, query.end, query.time_buckets)))
        # date_part is float8 arithmetic; extract() would be numeric, several times slower per row
        return f"floor((date_part('epoch', ts) * 1000 - {start_ms}::float8) / {width}::float8)::int"
    return "0"


def _jsonb_statement(query: dist.DistributionQuery, slots: Slots | None) -> tuple[str, list[Any]]:
    """`statement` reading the feature from `elements` (no slots, or the feature has none)."""
    where = _where(query, slots)
    time_slice = _time_slice(where, query)
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
    rows = f"""
        SELECT slice, cls, first, ts, x, {value} AS v
        FROM (
            SELECT {time_slice} AS slice, {cls} AS cls, {first} AS first, ts, {x} AS x
            FROM warden_logs.instances i {classes}
            WHERE {where.sql()}
            OFFSET 0
        ) e
    """
    return _grouped(rows, key), where.params


async def distribution(conn: asyncpg.Connection, query: dist.DistributionQuery) -> dist.DistributionResult:
    # One snapshot for the slots and the instances: a slot given meanwhile comes with the rows that use it.
    async with conn.transaction(readonly=True, isolation="repeatable_read"):
        await conn.execute("SET LOCAL enable_sort = off")  # hash the few groups; sorting spilled rows to disk
        # Compiling the expressions took 50-290 ms of a 0.8-1.9 s query over 1,000,000 instances (bench) and
        # gained less: the statement is one scan and a hash aggregate of a few array subscripts per row.
        await conn.execute("SET LOCAL jit = off")
        # A custom plan each time: after five runs of a prepared statement PostgreSQL may settle on a generic plan
        # (slots and bounds unknown), which ran the whole-day PROBA query 50% slower.
        await conn.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        slots = await postgres_slots.read(conn, query.namespace, query.deployment)
        text, params = statement(query, slots)
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
                bucket = int(float(key)) * interval  # text (JSONB statement) or float8 (slots)
                numbers.histogram[bucket] = numbers.histogram.get(bucket, 0) + int(count)
    return dist.finish(query, overall, slices, first, last)
