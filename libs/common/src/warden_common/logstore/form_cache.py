"""A bounded cache of what the log stores derive from an element's name and value (search terms, typed entries).

A deployment has few element names, and its rows repeat most of their values (categories, small integers), so
the searchable forms every row of every prediction needs are mostly made once. Names and values come from
payloads, so the cache is bounded: when `limit` forms are kept it starts afresh, so continuous values
(probabilities) that filled it cannot keep the repeating ones of a deployment seen later out for good.
"""

from __future__ import annotations

from typing import Any

MAX_CACHED_TEXT = 64
"""Forms of longer strings (free text) are not kept: they rarely repeat."""


class FormCache:
    """`tables` tables of forms, each `{name: {value: form}}` (one per kind of value: equal values of different
    types, `1` and `1.0` and `True`, must not meet in one), bounded together."""

    def __init__(self, *, limit: int, tables: int) -> None:
        self.tables: tuple[dict[str, dict[Any, Any]], ...] = tuple({} for _ in range(tables))
        self._limit = self._room = limit

    def keep(self, table: dict[str, dict[Any, Any]], name: str, value: Any, form: Any) -> None:
        if self._room == 0:
            for each in self.tables:
                each.clear()  # in place: readers hold these very dicts
            self._room = self._limit
        self._room -= 1
        table.setdefault(name, {})[value] = form
