"""The PostgreSQL log store's `jsonb` parameter encoder: orjson where PostgreSQL reads the same value, else `json`.

The shared pool encodes `jsonb` parameters with `json.dumps`, which costs ~25 us for one instance row of the
income example (12 features, request and response) — a third of the logger's CPU per prediction on this store.
orjson writes the same row in ~2 us. A `jsonb` value is what PostgreSQL parses from the text, not the text
itself, so orjson's other spelling (`,` without a space, UTF-8 instead of `\\uXXXX`, `1e16` for `1e+16`) stores
the same value. Only where the two would give different values or errors is `json.dumps` used, exactly as before:
- NaN and infinities: `json` writes `NaN` (PostgreSQL refuses the row, the logger rejects the event), orjson
  would write `null` (stored);
- what orjson refuses: integers beyond 64 bits, keys other than `str`, lone surrogates, nesting deeper than
  orjson's limit; and subclasses of the JSON types, datetimes and dataclasses, handed to a `default` that
  refuses them (`json` writes the subclasses, and refuses the others, as before).
The one difference left: orjson writes `uuid.UUID`s and the members of enums that are not `str`/`int` enums, which
`json.dumps` refuses; documents hold only decoded JSON and the builder's strings and numbers, never those.
`json` columns (text kept as written) are not touched: only `jsonb` uses this encoder.
"""

from __future__ import annotations

import json
import math
from typing import Any, Final

import orjson

_MAX_DEPTH = 64
_LEAF_TYPES: Final = frozenset({str, int, bool, type(None)})  # never NaN


_OPTIONS: Final = orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _refuse(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is left to json")  # orjson then raises: `json` decides


def dumps(value: Any) -> str:
    """JSON text of `value` that PostgreSQL reads as the same `jsonb` value (or error) as `json.dumps(value)`."""
    try:
        text = orjson.dumps(value, default=_refuse, option=_OPTIONS)
    except orjson.JSONEncodeError:  # not plain, an int beyond 64 bits, a lone surrogate, deep nesting
        return json.dumps(value)
    # orjson writes NaN and infinities as `null`; only when a `null` is there can one have been a NaN.
    if b"null" in text and not _finite(value, 0):
        return json.dumps(value)
    return text.decode()


def _finite(value: Any, depth: int) -> bool:
    """No NaN or infinity in `value` (as far as `_MAX_DEPTH`; deeper: assumed there)."""
    kind = type(value)
    if kind is float:
        return math.isfinite(value)
    if kind is dict:
        items: Any = value.values()
    elif kind is list or kind is tuple:
        items = value
    else:
        return True
    if depth >= _MAX_DEPTH:
        return False
    return all(type(item) in _LEAF_TYPES or _finite(item, depth + 1) for item in items)
