"""Kafka records: CloudEvents binary/structured binding and the Seldon executor's own header format."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from cloudevents.core.v1.event import CloudEvent

from warden_common.codec import (
    CodecError,
    InvalidAttributeError,
    InvalidJsonError,
    MissingAttributesError,
    PayloadTooLargeError,
    UnsupportedSpecVersionError,
    encode_http_structured,
    from_kafka_record,
    from_seldon_kafka_record,
    to_kafka_record,
)

WHEN = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
SELDON_HEADERS = [
    ("type", b"io.seldon.serving.inference.response"),
    ("content-type", b"application/json"),
    ("modelid", b"classifier"),
    ("requestid", b"puid-1"),
    ("inferenceservicename", b"iris"),
    ("namespace", b"seldon"),
    ("endpoint", b"default"),
    ("protocol", b"seldon"),
]
BODY = b'{"data": {"ndarray": [[0.1, 0.9]]}}'


def _event(data: object = None, **extra: object) -> CloudEvent:
    attributes: dict[str, object] = {
        "id": "evt-1",
        "source": "/warden/serving",
        "type": "io.seldon.serving.inference.request",
        "specversion": "1.0",
        "time": WHEN,
        "datacontenttype": "application/json",
        **extra,
    }
    return CloudEvent(attributes, data)  # type: ignore[arg-type]


def test_binary_record_wire_is_exact() -> None:
    key, headers, value = to_kafka_record(_event({"a": [1]}, requestid="puid-1"), key="puid-1")
    assert key == b"puid-1"
    assert headers == (
        ("ce_id", b"evt-1"),
        ("ce_source", b"/warden/serving"),
        ("ce_type", b"io.seldon.serving.inference.request"),
        ("ce_specversion", b"1.0"),
        ("ce_time", b"2024-05-06T07:08:09Z"),
        ("content-type", b"application/json"),
        ("ce_requestid", b"puid-1"),
    )
    assert json.loads(value) == {"a": [1]}


def test_binary_record_round_trips_without_turning_the_key_into_an_attribute() -> None:
    event = _event({"a": [1]}, requestid="puid-1")
    key, headers, value = to_kafka_record(event, key=b"k")
    decoded = from_kafka_record(headers, value, key)
    assert decoded.get_attributes() == event.get_attributes()
    assert decoded.get_data() == {"a": [1]}


def test_key_is_optional() -> None:
    key, headers, value = to_kafka_record(_event(b"\x00", datacontenttype="application/octet-stream"))
    assert key is None
    assert from_kafka_record(headers, value).get_data() == b"\x00"


def test_structured_record_is_accepted() -> None:
    headers, body = encode_http_structured(_event({"a": 1}))
    event = from_kafka_record([(name, value.encode()) for name, value in headers.items()], body)
    assert (event.get_id(), event.get_data()) == ("evt-1", {"a": 1})


def test_seldon_record_gets_the_executor_attributes() -> None:
    event = from_kafka_record(
        SELDON_HEADERS, BODY, None, topic="seldon", partition=1, offset=7, timestamp_ms=1714979289000
    )
    attributes = event.get_attributes()
    assert {k: v for k, v in attributes.items() if k != "id"} == {
        "specversion": "1.0",
        "type": "io.seldon.serving.inference.response",
        "source": "kafka://seldon",
        "datacontenttype": "application/json",
        "modelid": "classifier",
        "requestid": "puid-1",
        "inferenceservicename": "iris",
        "namespace": "seldon",
        "endpoint": "default",
        "protocol": "seldon",
        "time": WHEN,
    }
    assert event.get_data() == {"data": {"ndarray": [[0.1, 0.9]]}}


def test_seldon_record_ids_are_deterministic() -> None:
    by_offset = from_seldon_kafka_record(SELDON_HEADERS, BODY, topic="seldon", partition=1, offset=7)
    assert (
        by_offset.get_id()
        == from_seldon_kafka_record(SELDON_HEADERS, BODY, topic="seldon", partition=1, offset=7).get_id()
    )
    assert (
        by_offset.get_id()
        != from_seldon_kafka_record(SELDON_HEADERS, BODY, topic="seldon", partition=1, offset=8).get_id()
    )

    by_content = from_seldon_kafka_record(SELDON_HEADERS, BODY)
    assert by_content.get_id() == from_seldon_kafka_record(SELDON_HEADERS, BODY).get_id()
    assert by_content.get_id() != from_seldon_kafka_record(SELDON_HEADERS, BODY + b" ").get_id()
    assert by_content.get_source() == "kafka://seldon-executor"


def test_seldon_record_drops_empty_extensions_and_keeps_grpc_bytes() -> None:
    headers = [*SELDON_HEADERS[:1], ("content-type", b"application/protobuf"), ("protocol", b""), ("requestid", b"p")]
    event = from_seldon_kafka_record(headers, b"\x0a\x00\xff")
    assert event.get_extension("protocol") is None
    assert event.get_extension("requestid") == "p"
    assert event.get_data() == b"\x0a\x00\xff"


def test_seldon_record_headers_are_case_insensitive_and_not_mutated() -> None:
    headers = [(name.upper(), value) for name, value in SELDON_HEADERS]
    snapshot = list(headers)
    event = from_kafka_record(headers, BODY)
    assert event.get_extension("requestid") == "puid-1"
    assert headers == snapshot


def test_seldon_record_with_empty_type_is_named() -> None:
    with pytest.raises(
        MissingAttributesError, match="Seldon executor Kafka record: missing required CloudEvent attribute 'type'"
    ):
        from_kafka_record([("type", b""), ("content-type", b"application/json")], b"{}")


def test_seldon_record_invalid_json_says_where() -> None:
    with pytest.raises(InvalidJsonError, match="line 1 column 2"):
        from_kafka_record(SELDON_HEADERS, b"{oops")


def test_record_without_any_event_headers_is_named() -> None:
    with pytest.raises(CodecError, match="no ce_\\* headers, no 'application/cloudevents\\+json' content type"):
        from_kafka_record([("content-type", b"application/json")], b"{}")


@pytest.mark.parametrize("missing", ["id", "source", "type", "specversion"])
def test_binary_record_missing_attribute_is_named(missing: str) -> None:
    _, headers, value = to_kafka_record(_event({}))
    kept = [(name, raw) for name, raw in headers if name != f"ce_{missing}"]
    with pytest.raises(MissingAttributesError) as err:
        from_kafka_record(kept, value)
    assert err.value.missing == (missing,)


def test_binary_record_unsupported_specversion() -> None:
    _, headers, value = to_kafka_record(_event({}))
    patched = [(name, b"0.3" if name == "ce_specversion" else raw) for name, raw in headers]
    with pytest.raises(UnsupportedSpecVersionError):
        from_kafka_record(patched, value)


def test_binary_record_invalid_json_and_bad_time() -> None:
    _, headers, _ = to_kafka_record(_event({}))
    with pytest.raises(InvalidJsonError):
        from_kafka_record(headers, b'{"a":')
    patched = [(name, b"noon" if name == "ce_time" else raw) for name, raw in headers]
    with pytest.raises(InvalidAttributeError, match="'time'"):
        from_kafka_record(patched, b"{}")


def test_non_utf8_header_value_is_named() -> None:
    with pytest.raises(InvalidAttributeError, match="'ce_id': header value is not UTF-8"):
        from_kafka_record([("ce_id", b"\xff")], b"")


def test_missing_value_and_missing_header_values_are_tolerated() -> None:
    event = from_kafka_record([*SELDON_HEADERS, ("endpoint", None)], None)
    assert event.get_data() is None
    assert event.get_extension("endpoint") is None


def test_oversized_record_is_refused_when_a_limit_is_given() -> None:
    with pytest.raises(PayloadTooLargeError, match="event body of 35 bytes exceeds the limit of 10 bytes"):
        from_kafka_record(SELDON_HEADERS, BODY, max_value_bytes=10)
