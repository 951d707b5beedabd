"""The searchable forms of a PostgreSQL log-store row, made in one walk over each part's elements.

A request's or response's `elements` are kept in two more forms: the typed `features` entries inside the JSONB
document, which feature searches read (`document.feature_entries`), and the scalars by path that fill the element
slots' typed arrays, which distributions read (`postgres_slots.scalars`). Both walk the same elements and look at
the same types, once per part of every row written; the plain top-level numbers and strings nearly every
prediction consists of are turned into both forms here in one pass. Any other value (groups, booleans, lists,
nulls, subclasses) goes through those two functions' own rules, which stay the definition:
`tests/unit/test_postgres_searchable.py` holds this module equal to them on random rows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from warden_common.logstore import document as doc
from warden_common.logstore import postgres_slots as slots
from warden_common.logstore.form_cache import MAX_CACHED_TEXT, FormCache

Scalars = dict[slots.Path, slots.Value]


def searchable_fields(fields: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Scalars]]:
    """`fields` with `features` added to every part that has `elements` (request, response, feedback truth), and
    the scalars of each request and response part present (none for a part without `elements`)."""
    out = dict(fields)
    scalars: dict[str, Scalars] = {}
    for name in slots.PARTS:
        if name not in out:
            continue
        part = out[name]
        elements = part.get(doc.ELEMENTS) if isinstance(part, dict) else None
        if isinstance(elements, dict):
            entries, scalars[name] = part_forms(elements)
            out[name] = {**part, doc.FEATURES: entries}
        else:
            scalars[name] = {}
    feedback = out.get("feedback")
    truth = feedback.get("truth") if isinstance(feedback, dict) else None
    if isinstance(truth, dict) and isinstance(truth.get(doc.ELEMENTS), dict):
        out["feedback"] = {**feedback, "truth": {**truth, doc.FEATURES: doc.feature_entries(truth[doc.ELEMENTS])}}  # type: ignore[dict-item]
    return out, scalars


def part_forms(elements: Mapping[Any, Any]) -> tuple[list[dict[str, object]], Scalars]:
    """(`document.feature_entries(elements)`, `postgres_slots.scalars(elements)`)."""
    entries: list[dict[str, object]] = []
    found: Scalars = {}
    room = True  # entries stop at `MAX_FEATURES`; scalars go on (the slot registry bounds those)
    by_int, by_text = _FORMS.tables
    for key, value in elements.items():
        name = key if type(key) is str else str(key)
        kind = type(value)  # exact types: bool is an int, and subclasses go the general way below
        if kind is float:
            if math.isfinite(value):
                if room:
                    entries.append({"name": name, "num": value})
                found[(name,)] = (value, None)
        elif kind is str or kind is int:
            forms = (by_text if kind is str else by_int).get(name, _NOTHING).get(value) or _forms(name, value)
            entry, path, scalar = forms
            if room and entry is not None:
                entries.append(entry)
            found[path] = scalar
        else:
            if room:
                doc.add_feature_entry(entries, name, value)
            if isinstance(value, dict):
                for category, inner in value.items():
                    typed = slots.typed(inner)
                    if typed is not None:
                        found[(name, str(category))] = typed
            else:
                typed = slots.typed(value)
                if typed is not None:
                    found[(name,)] = typed
        if room and len(entries) >= doc.MAX_FEATURES:
            room = False
    return (entries if room else entries[: doc.MAX_FEATURES]), found


_Forms = tuple[dict[str, object] | None, slots.Path, slots.Value]
"""A top-level int's or string's feature entry (None: none), slot path and slot value."""

_FORMS = FormCache(limit=100_000, tables=2)
"""`_Forms` of ints and of short strings by name and value: a deployment's rows repeat most of those (categories,
counts), so the common element costs two lookups. The entries are shared by the documents that hold them: nothing
changes a document's entries once made (they are only encoded)."""
_NOTHING: dict[Any, _Forms] = {}


def _forms(name: str, value: int | str) -> _Forms:
    """Made, and remembered, for a top-level element of exactly `int` or `str` (the caller checked the type)."""
    forms: _Forms
    if isinstance(value, str):
        forms = ({"name": name, "str": value[: doc.MAX_KEYWORD]}, (name,), (None, value))
        if len(value) <= MAX_CACHED_TEXT:
            _FORMS.keep(_FORMS.tables[1], name, value, forms)
        return forms
    text = str(value)
    if -slots.WIDEST_DOUBLE <= value <= slots.WIDEST_DOUBLE:
        number = float(value)
        forms = ({"name": name, "num": number}, (name,), (number, text))
    else:
        forms = (None, (name,), (None, text))
    _FORMS.keep(_FORMS.tables[0], name, value, forms)
    return forms
