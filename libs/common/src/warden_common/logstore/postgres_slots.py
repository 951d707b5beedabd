"""Element slots of the PostgreSQL log store: typed arrays that feature distributions read instead of JSONB.

Each scalar element of an instance's request or response (`{"Age": 39}`, or one class of a group:
`{"Income": {">$50K": 0.2}}`) has a slot per deployment and part (`warden_logs.element_slots`, migration 0004),
given the first time the store writes that element and never changed. The instance row keeps the part's values by
slot: `<part>_numbers[slot]` (JSON numbers, as float8) and `<part>_labels[slot]` (strings, booleans, and integers
in the text PostgreSQL gives for them; other numbers' text is read from `elements` by the query). Reading
`request_numbers[3]` costs a fraction of `elements -> 'request' -> 'Age'` with its type checks and casts.

Slots are given under a transaction-scoped advisory lock per deployment and part (several writers may meet a new
element at once); a process remembers the slots it has seen committed. At most `MAX_SLOTS` per deployment and part:
further elements stay in `elements` only and queries read them from there.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import asyncpg

MAX_SLOTS = 1000
"""Slots per deployment and part (the migration's backfill gives no more either)."""

PARTS = ("request", "response")

Path = tuple[str, ...]
"""(name,) or (name, class)."""

Key = tuple[str, str]
"""(namespace, deployment)."""

WIDEST_DOUBLE = 1.7976931348623157e308
"""Integers beyond it are no double: they get no number (their text is kept)."""

SELECT_SLOTS = """
SELECT namespace, deployment, part, path, slot FROM warden_logs.element_slots
WHERE (namespace, deployment) IN (SELECT * FROM unnest($1::text[], $2::text[]))
"""

INSERT_SLOTS = """
INSERT INTO warden_logs.element_slots (namespace, deployment, part, path, slot)
SELECT $1, $2, part, CASE WHEN category IS NULL THEN ARRAY[name] ELSE ARRAY[name, category] END, slot
FROM unnest($3::text[], $4::text[], $5::text[], $6::int[]) AS n(part, name, category, slot)
"""

# Two-key advisory lock per deployment and part (a hash collision only makes two writers take turns).
LOCK = "SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2 || '/' || $3))"


def typed(value: Any) -> tuple[float | None, str | None] | None:
    """(number, label) of one scalar element as PostgreSQL reads its JSON; None for anything else."""
    kind = type(value)  # exact types first: this runs for every element of every row written
    if kind is float:
        return (value, None) if math.isfinite(value) else None
    if kind is str:
        return None, value
    if isinstance(value, str):
        return None, value
    if isinstance(value, bool):
        return None, "true" if value else "false"
    if isinstance(value, int):
        return (float(value) if -WIDEST_DOUBLE <= value <= WIDEST_DOUBLE else None), str(value)
    if isinstance(value, float):  # a subclass: its plain float (the array literal is written from `repr`)
        return (float(value), None) if math.isfinite(value) else None
    return None


def scalars(elements: Any) -> dict[Path, tuple[float | None, str | None]]:
    """The scalar elements of a part's `elements`, by path: top-level values and the values of top-level groups."""
    found: dict[Path, tuple[float | None, str | None]] = {}
    if not isinstance(elements, dict):
        return found
    for key, value in elements.items():
        if isinstance(value, dict):
            for category, inner in value.items():
                value_of = typed(inner)
                if value_of is not None:
                    found[(str(key), str(category))] = value_of
        else:
            value_of = typed(value)
            if value_of is not None:
                found[(str(key),)] = value_of
    return found


def _numbers_literal(numbers: list[float | None]) -> str:
    """A float8[] literal: a list's text is its floats' `repr` (no quote, backslash or "None" in any) and None."""
    return "{" + repr(numbers)[1:-1].replace("None", "NULL") + "}"


def _labels_literal(labels: list[str | None]) -> str:
    """A text[] literal, every element quoted (so any text is data)."""
    quoted = ["NULL" if text is None else '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"' for text in labels]
    return "{" + ",".join(quoted) + "}"


Value = tuple[float | None, str | None]
"""(number, label) of one scalar element."""


def arrays(values: dict[Path, Value], slots: Mapping[Path, int]) -> tuple[str | None, str | None]:
    """(numbers, labels) array literals of one part's values by slot; None when no value has a slot."""
    placed = [(slots[path], value) for path, value in values.items() if path in slots]
    if not placed:
        return None, None
    size = max(slot for slot, _ in placed)
    numbers: list[float | None] = [None] * size
    labels: list[str | None] = [None] * size
    for slot, (number, label) in placed:
        numbers[slot - 1], labels[slot - 1] = number, label
    return _numbers_literal(numbers), _labels_literal(labels)


class SlotRegistry:
    """The slots of the deployments this process writes, read from and added to `warden_logs.element_slots`."""

    def __init__(self) -> None:
        self._known: dict[Key, dict[str, dict[Path, int]]] = {}

    def known(self, key: Key) -> dict[str, dict[Path, int]]:
        return self._known.get(key, {})

    async def resolve(self, conn: asyncpg.Connection, wanted: Mapping[Key, Mapping[str, set[Path]]]
                      ) -> dict[Key, dict[str, dict[Path, int]]]:  # fmt: skip
        """Slots of every wanted path (given now where missing, in `conn`'s transaction): commit, then `keep`."""
        resolved = {key: {part: dict(paths) for part, paths in self.known(key).items()} for key in wanted}

        def missing() -> dict[tuple[str, str, str], list[Path]]:
            out = {}
            for key, parts in wanted.items():
                for part, paths in parts.items():
                    have = resolved[key].get(part, {})
                    new = sorted(p for p in paths if p not in have)
                    if new and len(have) < MAX_SLOTS:
                        out[(*key, part)] = new
            return out

        if not missing():
            return resolved
        await self._read(conn, resolved, {(ns, dep) for ns, dep, _ in missing()})
        todo = missing()
        if not todo:
            return resolved
        for namespace, deployment, part in sorted(todo):  # one order for every writer: no deadlock
            await conn.execute(LOCK, namespace, deployment, part)
        await self._read(conn, resolved, {(ns, dep) for ns, dep, _ in todo})  # given meanwhile by another writer
        for (namespace, deployment, part), paths in missing().items():
            have = resolved[(namespace, deployment)].setdefault(part, {})
            new = paths[: MAX_SLOTS - len(have)]
            first = max(have.values(), default=0) + 1
            numbers = list(range(first, first + len(new)))
            await conn.execute(INSERT_SLOTS, namespace, deployment, [part] * len(new), [p[0] for p in new],
                               [p[1] if len(p) > 1 else None for p in new], numbers)  # fmt: skip
            have.update(zip(new, numbers, strict=True))
        return resolved

    async def _read(self, conn: asyncpg.Connection, resolved: dict[Key, dict[str, dict[Path, int]]],
                    keys: set[Key]) -> None:  # fmt: skip
        ordered = sorted(keys)
        rows = await conn.fetch(SELECT_SLOTS, [k[0] for k in ordered], [k[1] for k in ordered])
        for row in rows:
            of_part = resolved[(row["namespace"], row["deployment"])].setdefault(row["part"], {})
            of_part[tuple(row["path"])] = row["slot"]

    def keep(self, resolved: Mapping[Key, dict[str, dict[Path, int]]]) -> None:
        """Remember slots once the transaction that gave them has committed."""
        self._known.update(resolved)


async def read(conn: asyncpg.Connection, namespace: str, deployment: str) -> dict[str, dict[Path, int]]:
    """Every slot of one deployment, by part (for a query)."""
    found: dict[str, dict[Path, int]] = {}
    rows = await conn.fetch(SELECT_SLOTS, [namespace], [deployment])
    for row in rows:
        found.setdefault(row["part"], {})[tuple(row["path"])] = row["slot"]
    return found
