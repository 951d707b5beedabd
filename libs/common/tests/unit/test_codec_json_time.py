"""The codec's fast JSON and `time` paths give exactly what the standard library and `dateutil` give."""

from __future__ import annotations

import enum
import json
import math
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from dateutil.parser import isoparse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warden_common.codec import CodecError, InvalidJsonError
from warden_common.codec._format import dump_json, parse_json
from warden_common.codec._json import NOT_FAST, fast_loads
from warden_common.codec._time import parse_timestamp

SETTINGS = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def stdlib_loads(raw: bytes) -> tuple[str, str]:
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        return ("error", type(exc).__name__)
    return ("ok", repr(value))  # repr tells 1 from 1.0, keeps key order and shows nan


def stdlib_dumps(value: Any) -> tuple[str, Any]:
    try:
        return ("ok", json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8"))
    except (TypeError, ValueError) as exc:
        return ("error", f"event data cannot be written as JSON: {exc}")


class Colour(enum.IntEnum):
    RED = 1


class Tag(str):
    pass


leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**63 - 2, max_value=2**65),
    st.integers(min_value=-(2**65), max_value=-(2**63) + 2),
    st.floats(),
    st.text(max_size=8),
    st.sampled_from([Colour.RED, Tag("t"), uuid.UUID(int=1), datetime(2024, 1, 1), 1e16, 1e-7, {1, 2}]),
)
values = st.recursive(
    leaves,
    lambda children: (
        st.lists(children, max_size=4)
        | st.tuples(children, children)
        | st.dictionaries(st.one_of(st.text(max_size=6), st.integers(), st.none()), children, max_size=4)
    ),
    max_leaves=16,
)
texts = st.one_of(
    values.map(lambda value: json.dumps(value, default=str).encode()),
    st.text(alphabet=st.sampled_from('{}[]",:-.0123456789eE+ \n\ttrufalsn\\u'), max_size=24).map(str.encode),
    st.binary(max_size=24),
    st.sampled_from(
        [
            b"NaN",
            b"-Infinity",
            b"1e400",
            b"18446744073709551616",
            b"-9223372036854775809",
            b'"\\ud800"',
            b"\xef\xbb\xbf{}",
            b"[" * 2000 + b"]" * 2000,
            b'{"a":1,"a":2}',
            b"18446744073709551615",
            b'"\x01"',
        ]
    ),
)


@SETTINGS
@given(raw=texts)
def test_fast_loads_agrees_with_json_or_steps_aside(raw: bytes) -> None:
    fast = fast_loads(raw)
    if fast is not NOT_FAST:
        assert ("ok", repr(fast)) == stdlib_loads(raw)


@SETTINGS
@given(raw=texts)
def test_parse_json_returns_what_json_returns_or_its_error(raw: bytes) -> None:
    expected = stdlib_loads(raw)
    try:
        got = ("ok", repr(parse_json(raw, what="body")))
    except CodecError as exc:
        assert expected[0] == "error"
        if expected[1] == "JSONDecodeError":
            assert isinstance(exc, InvalidJsonError)
        return
    assert got == expected


@SETTINGS
@given(value=values)
def test_dump_json_writes_the_bytes_json_writes(value: Any) -> None:
    try:
        got: tuple[str, Any] = ("ok", dump_json(value))
    except CodecError as exc:
        got = ("error", str(exc))
    assert got == stdlib_dumps(value)


def test_wide_integers_are_not_turned_into_floats() -> None:
    for text in (b"18446744073709551616", b'{"n": [-9223372036854775809]}'):
        assert fast_loads(text) is NOT_FAST
        assert parse_json(text, what="body") == json.loads(text)
    assert dump_json({"n": 2**70}) == b'{"n":1180591620717411303424}'


def test_floats_nan_and_cycles_are_still_written_or_refused_by_json() -> None:
    assert dump_json([1e16, 1e-07, 0.1]) == b"[1e+16,1e-07,0.1]"
    with pytest.raises(CodecError, match="Out of range float values are not JSON compliant"):
        dump_json({"x": math.nan})
    looped: list[Any] = []
    looped.append(looped)
    with pytest.raises(CodecError, match="Circular reference detected"):
        dump_json(looped)


def test_invalid_json_keeps_the_standard_library_message() -> None:
    with pytest.raises(
        InvalidJsonError, match=r"body is not valid JSON: Expecting value at line 1 column 2 \(char 1\)"
    ):
        parse_json(b"[", what="body")


zones = st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=45)), timezone(-timedelta(hours=11))])


@st.composite
def timestamp_texts(draw: st.DrawFn) -> str:
    """Canonical RFC 3339 text, sometimes with one field pushed out of range or written another way."""
    moment = draw(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=zones))
    text = moment.isoformat(timespec=draw(st.sampled_from(["seconds", "milliseconds", "microseconds"])))
    text = text.replace("+00:00", draw(st.sampled_from(["Z", "z", "+00:00", "-00:00"])))
    if draw(st.booleans()):
        index = draw(st.integers(0, len(text) - 1))
        text = text[:index] + draw(st.sampled_from(["9", "6", "3", "0", " ", "t", ",", ""])) + text[index + 1 :]
    return text


def outcome(parse: Any, text: str) -> tuple[Any, ...]:
    try:
        parsed = parse(text)
    except (ValueError, OverflowError) as exc:
        return ("error", type(exc).__name__, str(exc))
    return ("ok", parsed, repr(parsed.tzinfo))


@settings(max_examples=2000, deadline=None)
@given(text=timestamp_texts())
def test_parse_timestamp_is_isoparse(text: str) -> None:
    assert outcome(parse_timestamp, text) == outcome(isoparse, text)


@pytest.mark.parametrize(
    "text",
    [
        "2024-05-06T07:08:09+01:60",
        "2024-05-06T07:08:09+24:00",
        "2024-02-30T07:08:09Z",
        "2024-05-06T24:00:00Z",
        "2024-05-06T23:59:60Z",
        "2024-05-06T07:08:09.1234567Z",
        "2024-05-06T07:08:09",
        "2024-05-06T07:08:09-00:00",
    ],
)
def test_edge_timestamps_are_isoparse(text: str) -> None:
    assert outcome(parse_timestamp, text) == outcome(isoparse, text)
