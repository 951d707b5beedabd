"""HTTP binding: binary and structured mode, wire headers, and errors that name the problem."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
from cloudevents.core.v1.event import CloudEvent

from warden_common.codec import (
    DEFAULT_MAX_BODY_BYTES,
    CodecError,
    InvalidAttributeError,
    InvalidJsonError,
    MissingAttributesError,
    PayloadTooLargeError,
    UnsupportedContentTypeError,
    UnsupportedSpecVersionError,
    decode_http,
    encode_http_binary,
    encode_http_structured,
)
from warden_common.errors import BadRequest

WHEN = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
BASE = {
    "ce-id": "evt-1",
    "ce-specversion": "1.0",
    "ce-type": "io.seldon.serving.inference.request",
    "ce-source": "http://host:8000/",
}


def _event(data: object = None, **attributes: object) -> CloudEvent:
    base: dict[str, object] = {
        "id": "evt-1",
        "source": "http://host:8000/",
        "type": "io.seldon.serving.inference.request",
        "specversion": "1.0",
        "time": WHEN,
        "datacontenttype": "application/json",
    }
    return CloudEvent({**base, **attributes}, data)  # type: ignore[arg-type]


def test_binary_wire_headers_are_exact() -> None:
    event = _event({"data": {"ndarray": [[1, 2]]}}, requestid="puid-1", modelid="classifier")
    headers, body = encode_http_binary(event)
    assert headers == {
        "ce-id": "evt-1",
        "ce-source": "http://host:8000/",
        "ce-type": "io.seldon.serving.inference.request",
        "ce-specversion": "1.0",
        "ce-time": "2024-05-06T07:08:09Z",
        "content-type": "application/json",
        "ce-requestid": "puid-1",
        "ce-modelid": "classifier",
    }
    assert json.loads(body) == {"data": {"ndarray": [[1, 2]]}}


def test_structured_wire_is_exact() -> None:
    headers, body = encode_http_structured(_event({"a": 1}, requestid="puid-1"))
    assert headers == {"content-type": "application/cloudevents+json"}
    assert json.loads(body) == {
        "id": "evt-1",
        "source": "http://host:8000/",
        "type": "io.seldon.serving.inference.request",
        "specversion": "1.0",
        "time": "2024-05-06T07:08:09Z",
        "datacontenttype": "application/json",
        "requestid": "puid-1",
        "data": {"a": 1},
    }


def test_structured_binary_data_goes_to_data_base64() -> None:
    event = _event(b"\x00\xff", datacontenttype="application/octet-stream")
    _, body = encode_http_structured(event)
    assert json.loads(body)["data_base64"] == base64.b64encode(b"\x00\xff").decode()
    assert decode_http({"Content-Type": "application/cloudevents+json"}, body).get_data() == b"\x00\xff"


def test_header_names_are_case_insensitive_and_inputs_untouched() -> None:
    headers = {
        "CE-ID": "x",
        "Ce-SpecVersion": "1.0",
        "ce-TYPE": "t",
        "Ce-Source": "s",
        "CONTENT-TYPE": "Application/JSON",
    }
    snapshot = dict(headers)
    event = decode_http(headers, b"[1, 2]")
    assert (event.get_id(), event.get_type(), event.get_source()) == ("x", "t", "s")
    data: object = event.get_data()  # a JSON array, which the library's `dict | str | bytes | None` leaves out
    assert data == [1, 2]
    assert headers == snapshot


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "text/json", "application/vnd.x+json"]
)
def test_json_content_types_are_parsed(content_type: str) -> None:
    assert decode_http({**BASE, "content-type": content_type}, b'{"a": [1]}').get_data() == {"a": [1]}


@pytest.mark.parametrize(
    "content_type", ["application/protobuf", "application/octet-stream", "text/plain", "image/png"]
)
def test_non_json_bodies_stay_bytes(content_type: str) -> None:
    body = b"\x08\x96\x01 not json"
    event = decode_http({**BASE, "content-type": content_type}, body)
    assert event.get_data() == body
    assert encode_http_binary(event)[1] == body


def test_empty_body_is_no_data() -> None:
    assert decode_http({**BASE, "content-type": "application/json"}, b"").get_data() is None


def test_percent_encoded_header_values_are_decoded() -> None:
    event = decode_http({**BASE, "ce-source": "http://h/a%20b", "ce-note": "caf%C3%A9"}, b"")
    assert event.get_source() == "http://h/a b"
    assert event.get_extension("note") == "café"
    assert decode_http(*encode_http_binary(event)).get_attributes() == event.get_attributes()


def test_structured_mode_wins_over_stray_ce_headers() -> None:
    _, body = encode_http_structured(_event({"a": 1}))
    event = decode_http({"content-type": "application/cloudevents+json; charset=utf-8", "ce-id": "other"}, body)
    assert event.get_id() == "evt-1"


# --- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["id", "source", "type", "specversion"])
def test_binary_missing_attribute_is_named(missing: str) -> None:
    headers = {k: v for k, v in BASE.items() if k != f"ce-{missing}"}
    with pytest.raises(MissingAttributesError) as err:
        decode_http(headers, b"{}")
    assert err.value.missing == (missing,)
    assert f"missing required CloudEvent attribute '{missing}'" in str(err.value)
    assert err.value.status_code == 400 and isinstance(err.value, BadRequest)


@pytest.mark.parametrize("missing", ["id", "source", "type", "specversion"])
def test_structured_missing_attribute_is_named(missing: str) -> None:
    document = {"id": "1", "source": "s", "type": "t", "specversion": "1.0", "data": {}}
    del document[missing]
    with pytest.raises(MissingAttributesError) as err:
        decode_http({"content-type": "application/cloudevents+json"}, json.dumps(document).encode())
    assert err.value.missing == (missing,)


def test_all_missing_attributes_are_reported_at_once() -> None:
    with pytest.raises(MissingAttributesError) as err:
        decode_http({"content-type": "application/json", "ce-source": "s"}, b"not even json")
    assert err.value.missing == ("id", "type", "specversion")
    assert str(err.value) == (
        "binary-mode HTTP event: missing required CloudEvent attributes 'id', 'type', 'specversion'"
    )
    assert err.value.details == {"missing": ["id", "type", "specversion"]}


def test_empty_required_attribute_counts_as_missing() -> None:
    with pytest.raises(MissingAttributesError, match="'id'"):
        decode_http({**BASE, "ce-id": ""}, b"")


@pytest.mark.parametrize("version", ["0.3", "2.0", "1"])
def test_unsupported_specversion(version: str) -> None:
    with pytest.raises(UnsupportedSpecVersionError, match=f"unsupported CloudEvents specversion '{version}'"):
        decode_http({**BASE, "ce-specversion": version}, b"{}")
    document = {"id": "1", "source": "s", "type": "t", "specversion": version}
    with pytest.raises(UnsupportedSpecVersionError):
        decode_http({"content-type": "application/cloudevents+json"}, json.dumps(document).encode())


def test_invalid_json_body_says_where() -> None:
    body = b'{\n  "data": {"ndarray": [[1, 2],]}\n}'
    with pytest.raises(InvalidJsonError) as err:
        decode_http({**BASE, "content-type": "application/json"}, body)
    assert (err.value.line, err.value.column) == (2, 31)
    assert "event data (content type 'application/json') is not valid JSON" in str(err.value)
    assert "line 2 column 31" in str(err.value)


def test_invalid_structured_json_says_where() -> None:
    with pytest.raises(InvalidJsonError, match=r"structured mode.*line 1 column 9"):
        decode_http({"content-type": "application/cloudevents+json"}, b'{"id": 1')


def test_body_that_is_not_utf8_where_json_is_declared() -> None:
    with pytest.raises(CodecError, match="not valid UTF-8 JSON"):
        decode_http({**BASE, "content-type": "application/json"}, b"\xff\xfe{}")


@pytest.mark.parametrize(
    "content_type",
    ["application/cloudevents+avro", "application/cloudevents+protobuf", "application/cloudevents-batch+json"],
)
def test_structured_mode_in_other_formats_is_unsupported(content_type: str) -> None:
    with pytest.raises(UnsupportedContentTypeError) as err:
        decode_http({"content-type": content_type}, b"{}")
    assert f"structured content type {content_type!r} is not supported" in str(err.value)
    assert err.value.status_code == 415


def test_structured_body_must_be_an_object() -> None:
    with pytest.raises(CodecError, match="must be a JSON object, got list"):
        decode_http({"content-type": "application/cloudevents+json"}, b"[]")


def test_structured_data_and_data_base64_are_exclusive() -> None:
    document = {"id": "1", "source": "s", "type": "t", "specversion": "1.0", "data": 1, "data_base64": "AA=="}
    with pytest.raises(CodecError, match="mutually exclusive"):
        decode_http({"content-type": "application/cloudevents+json"}, json.dumps(document).encode())


def test_structured_bad_base64_is_named() -> None:
    document = {"id": "1", "source": "s", "type": "t", "specversion": "1.0", "data_base64": "%%%"}
    with pytest.raises(InvalidAttributeError, match="'data_base64': not valid base64"):
        decode_http({"content-type": "application/cloudevents+json"}, json.dumps(document).encode())


@pytest.mark.parametrize("value", ["yesterday", "2024-05-06T07:08:09", "2024-13-45T00:00:00Z"])
def test_bad_time_is_named(value: str) -> None:
    with pytest.raises(InvalidAttributeError, match="'time'"):
        decode_http({**BASE, "ce-time": value}, b"")


def test_bad_extension_name_is_named() -> None:
    with pytest.raises(InvalidAttributeError, match="'my_ext'"):
        decode_http({**BASE, "ce-my_ext": "x"}, b"")


def test_oversized_body_is_413_with_size_and_limit() -> None:
    with pytest.raises(PayloadTooLargeError) as err:
        decode_http(BASE, b"x" * 101, max_body_bytes=100)
    assert err.value.status_code == 413
    assert str(err.value) == "event body of 101 bytes exceeds the limit of 100 bytes"
    assert (err.value.size, err.value.limit) == (101, 100)
    assert decode_http({**BASE, "content-type": "text/plain"}, b"x" * 100, max_body_bytes=100).get_data() == b"x" * 100
    assert DEFAULT_MAX_BODY_BYTES == 10 * 1024 * 1024


def test_encoding_dict_data_with_a_non_json_content_type_is_refused() -> None:
    event = _event({"a": 1}, datacontenttype="application/protobuf")
    with pytest.raises(CodecError, match="cannot be written with non-JSON content type"):
        encode_http_binary(event)
    with pytest.raises(CodecError, match="cannot be written with non-JSON content type"):
        encode_http_structured(event)
