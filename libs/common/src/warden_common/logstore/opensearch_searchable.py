"""The searchable forms OpenSearch gets of a part's elements, made in one walk over them as documents are written.

Two forms per request / response part (feedback truth gets the first only):
- `features`: one typed term per element, `<kind><len(name)>:<name>=<value>` (`opensearch_features` says why
  and how they are queried), at most `document.MAX_FEATURES` of them, groups flattened `a.b` at any depth;
- `values` / `categories`: the numbers and the texts (booleans as "true" / "false") by `field_name` of the
  element's name, aggregatable doc values for the distribution queries (`opensearch_distributions`), at most
  `MAX_SLOT_NAMES` names of up to 255 characters, groups flattened one level deep.
Both are made for every element of every instance the logger stores, so they are made together in one walk
with the type of each value tested once (two walks were ~19% of the logger's CPU), and the terms and field
names every instance of a deployment repeats are remembered.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from warden_common.logstore import document as doc
from warden_common.logstore.form_cache import MAX_CACHED_TEXT, FormCache
from warden_common.logstore.opensearch_features import MAX_NAME_CHARS, sortable_number, term_prefix
from warden_common.logstore.opensearch_mapping import CATEGORIES, VALUES

MAX_SLOT_NAMES = 500
"""Elements of one part given aggregatable fields (the rest stay searchable and stored)."""
MAX_SLOT_NAME = 255
"""Longer element names get no aggregatable field."""
_WIDEST_EXACT_INT = 2**53
"""A wider integer is no exact double: not aggregatable (still a term and stored)."""


def field_name(name: str) -> str:
    """`name` as one field name: `.` would make OpenSearch read a path, so `%` and `.` are escaped (`%25`, `%2E`)."""
    return name.replace("%", "%25").replace(".", "%2E")


# Bounded caches, since names and values come from payloads: field names by element name; term prefixes by
# name per kind; whole terms by name and value. A deployment has few element names, and every instance repeats
# them and most of their values (categories, small integers), so the common element costs a few dict lookups.
_MAX_CACHED = 100_000
_FIELD_NAMES: dict[str, str] = {}
_NUMBER: dict[str, str] = {}
_STRING: dict[str, str] = {}
_BOOLEAN: dict[str, str] = {}
_TOO_LONG = ""
_NO_TERMS: dict[Any, str] = {}


_TERMS = FormCache(limit=_MAX_CACHED, tables=2)
"""Terms of numbers (int and float alike: equal numbers have one term) and of short strings, by name and value."""


def searchable_source(fields: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    """`fields` (and `extra`) with the searchable forms added to each part that has `elements`: `features`,
    `values` and `categories` to the request and the response, `features` to feedback truth."""
    source = {**fields, **extra}
    for name in ("request", "response"):
        part = source.get(name)
        if isinstance(part, dict):
            elements = part.get(doc.ELEMENTS)
            if isinstance(elements, dict):
                terms, numbers, texts = searchable_forms(elements)
                source[name] = {**part, doc.FEATURES: terms, VALUES: numbers, CATEGORIES: texts}
    feedback = source.get("feedback")
    truth = feedback.get("truth") if isinstance(feedback, dict) else None
    if isinstance(truth, dict) and isinstance(truth.get(doc.ELEMENTS), dict):
        truth = {**truth, doc.FEATURES: feature_terms(truth[doc.ELEMENTS])}
        source["feedback"] = {**feedback, "truth": truth}  # type: ignore[dict-item]
    return source


def searchable_forms(elements: Mapping[str, Any]) -> tuple[list[str], dict[str, float], dict[str, str]]:
    """(terms, numbers, texts) of `elements`; see the module's docstring for what each holds."""
    terms: list[str] = []
    numbers: dict[str, float] = {}
    texts: dict[str, str] = {}
    _walk(terms, numbers, texts, elements, None, slots=True)
    return terms, numbers, texts


def feature_terms(elements: Mapping[str, Any]) -> list[str]:
    """`{"Age": 39, "Sex": "Male", "Income": {">50K": 0.8}}` -> the terms (groups flattened as `a.b`).

    Same elements as `document.feature_entries` (finite numbers, strings cut to 1,024 characters, booleans;
    lists and nulls are not searchable), at most `document.MAX_FEATURES` of them.
    """
    terms: list[str] = []
    _walk(terms, {}, {}, elements, None, slots=False)
    return terms


def slot_fields(elements: Mapping[str, Any]) -> tuple[dict[str, float], dict[str, str]]:
    """(numbers, texts) of `elements` by field name; booleans count as texts ("true" / "false")."""
    _, numbers, texts = searchable_forms(elements)
    return numbers, texts


def _walk(terms: list[str], numbers: dict[str, float], texts: dict[str, str], elements: Mapping[Any, Any],
          group: str | None, *, slots: bool) -> None:  # fmt: skip
    """Add the terms (while fewer than `MAX_FEATURES`) and, with `slots`, the slots (while fewer than
    `MAX_SLOT_NAMES` names) of `elements`, each group's after its name's; stop when both are full."""
    number_terms, string_terms = _TERMS.tables
    max_terms = doc.MAX_FEATURES
    for key, value in elements.items():
        name = key if type(key) is str else str(key)
        if group is not None:
            name = f"{group}.{name}"
        term_room = len(terms) < max_terms
        slot_room = slots and len(numbers) + len(texts) < MAX_SLOT_NAMES
        if not (term_room or slot_room):
            return  # bounds the work on one very wide row
        slot = slot_room and 0 < len(name) <= MAX_SLOT_NAME
        # Exact types (bool is a subclass of int, and True == 1): this runs for every element of every instance.
        kind = type(value)
        if kind is int or kind is float:
            if term_room:
                term = number_terms.get(name, _NO_TERMS).get(value) or _number_term(name, value)
                if term:
                    terms.append(term)
            if slot and (math.isfinite(value) if kind is float else -_WIDEST_EXACT_INT <= value <= _WIDEST_EXACT_INT):
                numbers[_FIELD_NAMES.get(name) or _field_name_of(name)] = value
        elif kind is str:
            if term_room:
                term = string_terms.get(name, _NO_TERMS).get(value) or _string_term(name, value)
                if term:
                    terms.append(term)
            if slot:
                texts[_FIELD_NAMES.get(name) or _field_name_of(name)] = value[: doc.MAX_KEYWORD]
        elif isinstance(value, dict):
            # Terms flatten groups at any depth, slots one level deep (a group of a top-level element).
            _walk(terms, numbers, texts, value, name, slots=slot and group is None)
        elif isinstance(value, bool):
            text = "true" if value else "false"
            if term_room:
                prefix = _BOOLEAN.get(name) or _new_prefix(_BOOLEAN, "b", name)
                if prefix:
                    terms.append(prefix + text)
            if slot:
                texts[_FIELD_NAMES.get(name) or _field_name_of(name)] = text
        # Lists (tensors, images) and nulls are kept in `elements` but neither searchable nor aggregatable.


def _field_name_of(name: str) -> str:
    field = field_name(name)
    if len(_FIELD_NAMES) < _MAX_CACHED:
        _FIELD_NAMES[name] = field
    return field


def _new_prefix(cache: dict[str, str], kind: str, name: str) -> str:
    prefix = _TOO_LONG if len(name) > MAX_NAME_CHARS else term_prefix(kind, name)
    if len(cache) < _MAX_CACHED:
        cache[name] = prefix
    return prefix


def _number_term(name: str, value: float) -> str | None:
    prefix = _NUMBER.get(name) or _new_prefix(_NUMBER, "n", name)
    try:
        if not prefix or not math.isfinite(value):
            return None
    except OverflowError:  # an integer wider than any double: kept in `elements`, not searchable
        return None
    term = prefix + sortable_number(value)
    _TERMS.keep(_TERMS.tables[0], name, value, term)
    return term


def _string_term(name: str, value: str) -> str | None:
    prefix = _STRING.get(name) or _new_prefix(_STRING, "s", name)
    if not prefix:
        return None
    term = prefix + value[: doc.MAX_KEYWORD]
    if len(value) <= MAX_CACHED_TEXT:
        _TERMS.keep(_TERMS.tables[1], name, value, term)
    return term
