"""Searchable features on OpenSearch as typed terms of one keyword field, instead of nested documents.

A `nested` mapping stores every name/value pair as its own hidden Lucene document: an income prediction (12
request features, 2 response probabilities) was 15 documents to index, refresh and merge, and OpenSearch spent
most of its time on them. Here a part's features are one multi-valued `keyword` field whose terms carry the
name and the typed value together, so the whole instance is one Lucene document and a condition on a feature
still matches that feature's own value (not another feature's):

    <kind><len(name)>:<name>=<value>        kind: n (number), s (string), b (boolean)

The name is length-prefixed, so no name can be mistaken for the start of another (`3:Age=` vs `4:Age=…`).
Numbers are written as 16 hex digits of an order-preserving encoding of the IEEE-754 double (the trick Lucene
uses for its own numeric terms), so a keyword range between two encoded values is exactly the numeric range.
The mapping stays explicit and `dynamic: strict`: new feature names add terms, never fields.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping
from typing import Any

from warden_common.logstore import document as doc
from warden_common.logstore.port import FeatureFilter

MAX_NAME_CHARS = 1024
"""A longer name is not indexed for search (the element itself is still stored)."""

_SIGN = 1 << 63
_MASK = (1 << 64) - 1
_LOWEST, _HIGHEST = "0" * 16, "f" * 16
_AS_DOUBLE, _AS_BITS = struct.Struct(">d"), struct.Struct(">Q")


def sortable_number(value: float) -> str:
    """16 lower-case hex digits that sort (as text) exactly as the finite doubles they encode."""
    if value == 0:
        value = 0.0  # -0.0 and 0.0 are equal as numbers, so they must be one term
    (bits,) = _AS_BITS.unpack(_AS_DOUBLE.pack(value))
    bits = (~bits & _MASK) if bits & _SIGN else (bits | _SIGN)
    return f"{bits:016x}"


def _prefix(kind: str, name: str) -> str:
    return f"{kind}{len(name)}:{name}="


# Prefixes by name per kind, and whole terms by name and value: a deployment has few feature names, and every
# instance repeats them and most of their values (categories, small integers), so the common element costs two
# dict lookups. Bounded, since names and values come from payloads.
_NUMBER: dict[str, str] = {}
_STRING: dict[str, str] = {}
_BOOLEAN: dict[str, str] = {}
_MAX_CACHED = 100_000
_TOO_LONG = ""
_NO_TERMS: dict[Any, str] = {}


class _TermCache:
    """Terms of numbers (int and float alike: equal numbers have one term) and of short strings, by name.

    When `limit` terms are kept it starts afresh, so continuous values (probabilities) that filled it cannot
    keep the repeating ones of a deployment seen later out for good.
    """

    MAX_TEXT = 64
    """Longer strings (free text) rarely repeat: not kept."""

    def __init__(self, limit: int) -> None:
        self.numbers: dict[str, dict[float, str]] = {}
        self.strings: dict[str, dict[str, str]] = {}
        self._limit = self._room = limit

    def keep(self, by_name: dict[str, dict[Any, str]], name: str, value: Any, term: str) -> None:
        if self._room == 0:
            self.numbers.clear()  # in place: readers hold these very dicts
            self.strings.clear()
            self._room = self._limit
        self._room -= 1
        by_name.setdefault(name, {})[value] = term


_TERMS = _TermCache(_MAX_CACHED)


def _new_prefix(cache: dict[str, str], kind: str, name: str) -> str:
    prefix = _TOO_LONG if len(name) > MAX_NAME_CHARS else _prefix(kind, name)
    if len(cache) < _MAX_CACHED:
        cache[name] = prefix
    return prefix


def feature_terms(elements: Mapping[str, Any]) -> list[str]:
    """`{"Age": 39, "Sex": "Male", "Income": {">50K": 0.8}}` -> the terms (groups flattened as `a.b`).

    Same elements as `document.feature_entries` (finite numbers, strings cut to 1,024 characters, booleans;
    lists and nulls are not searchable), at most `document.MAX_FEATURES` of them.
    """
    terms: list[str] = []
    _add_terms(terms, elements, None)
    return terms[: doc.MAX_FEATURES] if len(terms) > doc.MAX_FEATURES else terms


def _add_terms(terms: list[str], elements: Mapping[Any, Any], group: str | None) -> None:
    numbers, strings = _TERMS.numbers, _TERMS.strings
    for key, value in elements.items():
        name = key if type(key) is str else str(key)
        if group is not None:
            name = f"{group}.{name}"
        # Exact types (bool is a subclass of int, and True == 1): this runs for every element of every instance.
        kind = type(value)
        if kind is int or kind is float:
            term = numbers.get(name, _NO_TERMS).get(value) or _number_term(name, value)
        elif kind is str:
            term = strings.get(name, _NO_TERMS).get(value) or _string_term(name, value)
        elif isinstance(value, dict):
            _add_terms(terms, value, name)
            term = None
        elif isinstance(value, bool):
            prefix = _BOOLEAN.get(name) or _new_prefix(_BOOLEAN, "b", name)
            term = prefix + ("true" if value else "false") if prefix else None
        else:
            term = None  # lists (tensors, images) and nulls are kept in `elements` but not indexed for search
        if term:
            terms.append(term)
        if len(terms) >= doc.MAX_FEATURES:
            return  # bounds the work on one very wide row


def _number_term(name: str, value: float) -> str | None:
    prefix = _NUMBER.get(name) or _new_prefix(_NUMBER, "n", name)
    try:
        if not prefix or not math.isfinite(value):
            return None
    except OverflowError:  # an integer wider than any double: kept in `elements`, not searchable
        return None
    term = prefix + sortable_number(value)
    _TERMS.keep(_TERMS.numbers, name, value, term)
    return term


def _string_term(name: str, value: str) -> str | None:
    prefix = _STRING.get(name) or _new_prefix(_STRING, "s", name)
    if not prefix:
        return None
    term = prefix + value[: doc.MAX_KEYWORD]
    if len(value) <= _TermCache.MAX_TEXT:
        _TERMS.keep(_TERMS.strings, name, value, term)
    return term


def feature_condition(field: str, feature: FeatureFilter) -> dict[str, Any]:
    """The query clause of one feature filter on `field` (`ne` is an `eq` the caller puts in `must_not`)."""
    value = feature.value
    if isinstance(value, bool):
        prefix, encoded = _prefix("b", feature.name), "true" if value else "false"
        lowest, highest = "false", "true"
    elif isinstance(value, int | float):
        prefix, encoded = _prefix("n", feature.name), sortable_number(float(value))
        lowest, highest = _LOWEST, _HIGHEST
    else:
        prefix, encoded = _prefix("s", feature.name), str(value)
        lowest, highest = "", "\U0010ffff"
    if feature.op in ("eq", "ne"):
        return {"term": {field: prefix + encoded}}
    # Both bounds are given so that a range never runs into the terms of another name or another type.
    bounds: dict[str, str] = {"gte": prefix + lowest, "lte": prefix + highest}
    if feature.op in ("gt", "gte"):
        del bounds["gte"]
        bounds[feature.op] = prefix + encoded
    else:
        del bounds["lte"]
        bounds[feature.op] = prefix + encoded
    return {"range": {field: bounds}}
