"""orjson fast paths that give exactly what the standard `json` module gives, or step aside.

`json.loads`/`json.dumps` of a 1 KB event body cost 3-8 us, orjson 0.3-1 us, and the codec runs once per
record on every bus. But the two libraries do not agree everywhere, and the codec's contract (values, bytes on
the wire, errors) is the standard library's. So orjson is used only where it provably agrees:

- reading: orjson refuses what `json` would read differently (NaN/Infinity, 1e400, lone surrogate escapes,
  invalid UTF-8, nesting deeper than 1024) - the caller then runs `json.loads`, which accepts or words the
  error as before. The one thing orjson accepts but reads differently is an integer beyond 64 bits (it
  returns a float), so a result holding an integral float of that size is handed back to `json` too.
- writing: only values made of exactly `dict` (str keys), `list`, `tuple`, `str`, `int`, `bool` and `None`
  are given to orjson, whose output for those is byte-for-byte `json.dumps(separators=(",", ":"),
  ensure_ascii=False)`. Floats (orjson writes `1e16` where `json` writes `1e+16`, and NaN as `null`),
  subclasses, enums, UUIDs, datetimes and anything else go to `json`, which writes or refuses them as before.
"""

from __future__ import annotations

import re
from typing import Any, Final

import orjson

NOT_FAST: Final = object()
"""Returned by `fast_loads` when the caller must use the standard library (`None` is a JSON value)."""

_MAX_DEPTH = 64  # deeper values are rare in event data; they simply take the standard-library path
_WIDE_FLOAT = float(2**63)  # orjson returns a float for integers outside [-2**63, 2**64)
_LEAF_TYPES: Final = frozenset({str, int, bool, type(None)})
_DIGITS_TEXT: Final = re.compile(r"[0-9]{19}")
# Bytes: every digit -> "0", everything else -> " ", then a plain substring search for 19 zeros. Both steps are
# single C passes; the regular expression tries a match at every position and cost twice orjson's own parse.
_DIGITS_AS_ZEROS: Final = bytes(0x30 if 0x30 <= byte <= 0x39 else 0x20 for byte in range(256))
_NINETEEN_DIGITS: Final = b"0" * 19


def fast_loads(raw: bytes | str) -> Any:
    """The value `json.loads(raw)` would return, or `NOT_FAST` (then call `json.loads` for the value or error)."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return NOT_FAST
    # An integer orjson reads as a float (outside [-2**63, 2**64)) has at least 19 digits in a row in the text;
    # without such a run (the usual payload) the walk through the value is not needed.
    if isinstance(raw, str):
        long_run = _DIGITS_TEXT.search(raw) is not None
    else:  # bytes, bytearray
        long_run = _NINETEEN_DIGITS in raw.translate(_DIGITS_AS_ZEROS)
    if long_run and _may_hold_wide_int(value, 0):
        return NOT_FAST
    return value


def fast_dumps(value: Any) -> bytes | None:
    """Compact UTF-8 JSON identical to the standard library's, or None for values orjson could write otherwise."""
    if not _plain(value, 0):
        return None
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:  # e.g. an int beyond 64 bits, which `json` writes fine
        return None


def _may_hold_wide_int(value: Any, depth: int) -> bool:
    kind = type(value)
    if kind is float:
        return bool(value.is_integer() and abs(value) >= _WIDE_FLOAT)
    if kind is dict:
        items = value.values()
    elif kind is list:
        items = value
    else:
        return False
    if depth >= _MAX_DEPTH:
        return True
    for item in items:
        item_kind = type(item)
        if (item_kind is float or item_kind is dict or item_kind is list) and _may_hold_wide_int(item, depth + 1):
            return True
    return False


def _plain(value: Any, depth: int) -> bool:
    kind = type(value)
    if kind in _LEAF_TYPES:
        return True
    if depth >= _MAX_DEPTH:  # also ends a walk of a self-referencing value (json then reports the cycle)
        return False
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                return False
            if type(item) not in _LEAF_TYPES and not _plain(item, depth + 1):
                return False
        return True
    if kind is list or kind is tuple:
        return all(type(item) in _LEAF_TYPES or _plain(item, depth + 1) for item in value)
    return False
