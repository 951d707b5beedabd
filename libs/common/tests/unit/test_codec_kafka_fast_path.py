"""The one-pass Kafka binary-mode codec against the `cloudevents` binding it replaces on the hot path.

The reference below is what `from_kafka_record`/`to_kafka_record` did before the fast path: the library's
`ce_kafka.from_binary`/`to_binary` with our checks (`isoparse` for `time`, the standard `json` module for data).
Whatever the input, both must give the same event (attributes in the same order, same `time` object, same
data) or the same error (same type, same message).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from cloudevents.core.bindings import kafka as ce_kafka
from cloudevents.core.exceptions import CloudEventValidationError
from cloudevents.core.v1.event import CloudEvent
from dateutil.parser import isoparse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warden_common.codec import CodecError, InvalidAttributeError, InvalidJsonError, from_kafka_record, to_kafka_record
from warden_common.codec import _time as time_module
from warden_common.codec._attributes import check_required
from warden_common.codec._format import StrictJSONFormat, is_json_content_type

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WHERE = "binary-mode Kafka record"


class StdlibFormat(StrictJSONFormat):
    """The data handling as it was: standard-library `json` only."""

    def read_data(self, body: bytes, datacontenttype: str | None) -> Any:
        if not body:
            return None
        if not is_json_content_type(datacontenttype):
            return bytes(body)
        what = f"event data (content type {datacontenttype or 'application/json'!r})"
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CodecError(f"{what} is not valid UTF-8 JSON: byte {exc.start} cannot be decoded") from exc
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidJsonError(what, reason=exc.msg, line=exc.lineno, column=exc.colno, position=exc.pos) from exc
        except RecursionError as exc:
            raise CodecError(f"{what} is nested too deeply to parse") from exc

    def write_data(self, data: Any, datacontenttype: str | None) -> bytes:
        if data is None or isinstance(data, bytes | bytearray) or not is_json_content_type(datacontenttype):
            return super().write_data(data, datacontenttype)  # no JSON involved: unchanged
        try:
            return json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
        except (TypeError, ValueError) as exc:
            raise CodecError(f"event data cannot be written as JSON: {exc}") from exc


REFERENCE_FORMAT = StdlibFormat()


def reference_decode(headers: list[tuple[str, bytes | None]], value: bytes) -> CloudEvent:
    """Binary mode through the library binding, as `from_kafka_record` decoded it before the fast path."""
    decoded: dict[str, str] = {}
    for name, raw in headers:
        try:
            decoded[name.lower()] = (raw or b"").decode("utf-8")
        except UnicodeDecodeError as exc:
            problem = {name: f"header value is not UTF-8 (byte {exc.start})"}
            raise InvalidAttributeError(problem, where="Kafka record") from exc
    assert any(name.startswith("ce_") for name in decoded), "the strategies only make binary-mode records"
    attributes = {name[3:]: text for name, text in decoded.items() if name.startswith("ce_")}
    check_required(attributes, where=WHERE)
    if "time" in attributes:
        stamp = attributes["time"]
        try:
            parsed = isoparse(stamp)
        except (ValueError, OverflowError) as exc:
            raise InvalidAttributeError(
                {"time": f"{stamp!r} is not an RFC 3339 timestamp ({exc})"}, where=WHERE
            ) from exc
        if parsed.tzinfo is None:
            raise InvalidAttributeError({"time": f"{stamp!r} has no time zone offset"}, where=WHERE)

    def factory(event_attributes: dict[str, Any], data: Any) -> CloudEvent:
        check_required(event_attributes, where=WHERE)
        try:
            return CloudEvent(dict(event_attributes), data)
        except CloudEventValidationError as exc:
            problems = {name: "; ".join(str(e) for e in errors) for name, errors in exc.errors.items()}
            raise InvalidAttributeError(problems, where=WHERE) from exc

    message = ce_kafka.KafkaMessage(headers={n: t.encode() for n, t in decoded.items()}, key=None, value=value)
    event = ce_kafka.from_binary(message, REFERENCE_FORMAT, factory)
    assert isinstance(event, CloudEvent)
    return event


def outcome(decode: Any, headers: list[tuple[str, bytes | None]], value: bytes) -> tuple[Any, ...]:
    try:
        event = decode(headers, value)
    except CodecError as exc:
        return ("error", type(exc).__name__, str(exc))
    attributes = dict(event.get_attributes())
    time = attributes.pop("time")
    sent_time = any(name.lower() == "ce_time" for name, _ in headers)
    # Without a `time` header the library stamps "now": not comparable, but it must be there and aware.
    shown_time = (time, repr(time.tzinfo)) if sent_time else time.tzinfo is not None
    return ("event", list(attributes.items()), shown_time, repr(event.get_data()))


timestamps = st.one_of(
    st.datetimes(
        min_value=datetime(1, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=8))]),
    ).map(lambda moment: moment.isoformat().replace("+00:00", "Z")),
    st.sampled_from(
        [
            "2024-05-06T07:08:09Z",
            "2024-05-06t07:08:09z",
            "2024-02-30T07:08:09Z",
            "2024-05-06T24:00:00Z",
            "2024-05-06T07:08:09+01:60",
            "2024-05-06T07:08:09.1234567Z",
            "2024-05-06T07:08:09",
            "2024-05-06",
            "20240506T070809Z",
            "2024-05-06T07:08:09,5+02:00",
            "noon",
            "",
        ]
    ),
)
attribute_values = st.one_of(
    st.sampled_from(["1.0", "0.3", "", "x", "application/json", "text/plain", "application/octet-stream"]),
    st.text(max_size=10),
)
extra_headers = st.tuples(
    st.one_of(
        st.sampled_from(
            [
                "ce_subject",
                "ce_dataschema",
                "ce_requestid",
                "ce_bad_name",
                "ce_data",
                "ce_",
                "CE_ID",
                "Ce_Type",
                "Content-Type",
                "content-type",
                "ce_datacontenttype",
                "ce_specversion",
                "type",
                "warden_dlq_reason",
            ]
        ),
        st.text(max_size=8),
    ),
    st.one_of(st.none(), st.sampled_from([b"\xff", b"caf\xc3\xa9"]), attribute_values.map(str.encode)),
)
json_bodies = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
).map(lambda value: json.dumps(value).encode())
bodies = st.one_of(
    json_bodies,
    st.binary(max_size=32),
    st.sampled_from([b"", b"NaN", b"1e400", b"18446744073709551616", b'"\\ud800"', b"[" * 1100, b"{oops"]),
)


@st.composite
def binary_records(draw: st.DrawFn) -> tuple[list[tuple[str, bytes | None]], bytes]:
    base = {
        "ce_id": draw(st.sampled_from(["evt-1", ""])),
        "ce_source": "/bench/bus",
        "ce_type": "io.warden.bench.v1",
        "ce_specversion": draw(st.sampled_from(["1.0", "1.0", "0.3"])),
        "ce_time": draw(timestamps),
        "content-type": draw(st.sampled_from(["application/json", "text/plain", "application/cloudevents+json", ""])),
    }
    dropped = draw(st.sets(st.sampled_from(sorted(base)), max_size=2))
    headers: list[tuple[str, bytes | None]] = [(n, v.encode()) for n, v in base.items() if n not in dropped]
    headers = draw(st.permutations(headers))
    for extra in draw(st.lists(extra_headers, max_size=4)):
        headers.insert(draw(st.integers(0, len(headers))), extra)
    if not any(name.lower().startswith("ce_") for name, _ in headers):
        headers.append(("ce_id", b"evt-1"))
    return headers, draw(bodies)


@SETTINGS
@given(record=binary_records())
def test_fast_binary_decode_matches_the_library_binding(record: tuple[list[tuple[str, bytes | None]], bytes]) -> None:
    headers, value = record
    assert outcome(from_kafka_record, headers, value) == outcome(reference_decode, headers, value)


def deferred_decode(headers: list[tuple[str, bytes | None]], value: bytes) -> Any:
    """Decode with `defer=True`, then read every deferred part (which is where its errors surface)."""
    event = from_kafka_record(headers, value, defer=True)
    event.get_attributes()
    event.get_data()
    return event


@SETTINGS
@given(record=binary_records())
def test_deferred_decode_ends_in_the_same_event_or_error(record: tuple[list[tuple[str, bytes | None]], bytes]) -> None:
    # Errors may come in another order: a bad envelope is reported before a bad `time` when decoding is deferred.
    headers, value = record
    eager, deferred = outcome(from_kafka_record, headers, value), outcome(deferred_decode, headers, value)
    assert deferred == eager or (deferred[0] == eager[0] == "error")


def test_duplicate_content_type_headers_resolve_like_the_binding() -> None:
    headers: list[tuple[str, bytes | None]] = [
        ("content-type", b"application/json"),
        ("ce_id", b"1"),
        ("ce_source", b"s"),
        ("ce_type", b"t"),
        ("ce_specversion", b"1.0"),
        ("ce_datacontenttype", b"text/plain"),
        ("Content-Type", b"application/octet-stream"),
    ]
    event = from_kafka_record(headers, b"{}")
    assert event.get_datacontenttype() == "text/plain"
    assert outcome(from_kafka_record, headers, b"{}") == outcome(reference_decode, headers, b"{}")


def test_decoded_time_is_the_object_isoparse_gives() -> None:
    for text in ("2024-05-06T07:08:09.5Z", "2024-05-06T07:08:09+02:00", "2024-05-06T07:08:09-00:00"):
        headers = [
            ("ce_id", b"1"),
            ("ce_source", b"s"),
            ("ce_type", b"t"),
            ("ce_specversion", b"1.0"),
            ("ce_time", text.encode()),
        ]
        time = from_kafka_record(headers, b"").get_time()
        expected = isoparse(text)
        assert (time, repr(time.tzinfo) if time else None) == (expected, repr(expected.tzinfo))


def test_canonical_time_skips_the_slow_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(_text: str) -> datetime:
        raise AssertionError("dateutil was called for a canonical RFC 3339 timestamp")

    monkeypatch.setattr(time_module, "isoparse", refuse)
    event = CloudEvent({"type": "t", "source": "s", "time": datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)}, {})
    assert from_kafka_record(*to_kafka_record(event)[1:]).get_time() == event.get_time()


extension_values = st.one_of(
    st.text(max_size=8),
    st.integers(),
    st.booleans(),
    st.none(),
    st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=2))])),
)
event_data = st.one_of(
    st.none(),
    st.binary(max_size=8),
    st.text(max_size=8),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
        lambda children: (
            st.lists(children, max_size=3)
            | st.tuples(children)
            | st.dictionaries(st.one_of(st.text(max_size=4), st.integers()), children, max_size=3)
        ),
        max_leaves=8,
    ),
)


@SETTINGS
@given(
    extensions=st.dictionaries(st.sampled_from(["requestid", "modelid", "attempt", "flag", "when"]), extension_values),
    content_type=st.sampled_from([None, "application/json", "text/plain", "application/octet-stream"]),
    subject=st.one_of(st.none(), st.just("s")),
    data=event_data,
    key=st.one_of(st.none(), st.text(max_size=4), st.binary(max_size=4)),
)
def test_fast_binary_encode_matches_the_library_binding(
    extensions: dict[str, Any], content_type: str | None, subject: str | None, data: Any, key: str | bytes | None
) -> None:
    attributes: dict[str, Any] = {"type": "t", "source": "s", **extensions}
    for name, value in (("datacontenttype", content_type), ("subject", subject)):
        if value is not None:
            attributes[name] = value
    event = CloudEvent(attributes, data)

    def reference() -> tuple[Any, ...]:
        message = ce_kafka.to_binary(event, REFERENCE_FORMAT, key_mapper=lambda _e: key)
        raw_key = message.key.encode() if isinstance(message.key, str) else message.key
        return raw_key, tuple(message.headers.items()), message.value

    def result(encode: Any) -> tuple[Any, ...]:
        try:
            return ("ok", encode())
        except CodecError as exc:
            return ("error", type(exc).__name__, str(exc))

    assert result(lambda: to_kafka_record(event, key)) == result(reference)
