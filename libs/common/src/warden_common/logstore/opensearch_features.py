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

import struct
from typing import Any

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


def term_prefix(kind: str, name: str) -> str:
    """What every term of an element of this kind and name starts with."""
    return f"{kind}{len(name)}:{name}="


def feature_condition(field: str, feature: FeatureFilter) -> dict[str, Any]:
    """The query clause of one feature filter on `field` (`ne` is an `eq` the caller puts in `must_not`)."""
    value = feature.value
    if isinstance(value, bool):
        prefix, encoded = term_prefix("b", feature.name), "true" if value else "false"
        lowest, highest = "false", "true"
    elif isinstance(value, int | float):
        prefix, encoded = term_prefix("n", feature.name), sortable_number(float(value))
        lowest, highest = _LOWEST, _HIGHEST
    else:
        prefix, encoded = term_prefix("s", feature.name), str(value)
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
