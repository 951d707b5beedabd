"""Property tests: whatever arrives, the codec either decodes it or raises a `CodecError` (never anything else)."""

from __future__ import annotations

import json
from typing import Any

from cloudevents.core.v1.event import CloudEvent
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warden_common.codec import (
    CodecError,
    decode_http,
    encode_http_binary,
    encode_http_structured,
    from_kafka_record,
    to_kafka_record,
)
from warden_common.events import decode_data, registry

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

header_names = st.one_of(
    st.sampled_from(
        ["ce-id", "ce-source", "ce-type", "ce-specversion", "ce-time", "Content-Type", "ce-requestid", "ce-bad_name"]
    ),
    st.text(min_size=1, max_size=12),
)
header_values = st.one_of(
    st.sampled_from(
        [
            "1.0",
            "0.3",
            "",
            "application/json",
            "application/cloudevents+json",
            "application/cloudevents+avro",
            "application/protobuf",
            "2024-05-06T07:08:09Z",
            "not-a-time",
            "%ZZ",
        ]
    ),
    st.text(max_size=20),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
bodies = st.one_of(
    st.binary(max_size=64),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries(
        {"id": st.text(max_size=4), "source": st.text(max_size=4), "type": st.text(max_size=4)},
        optional={
            "specversion": st.sampled_from(["1.0", "0.3", 1]),
            "data": json_values,
            "data_base64": st.text(max_size=8),
        },
    ).map(lambda v: json.dumps(v).encode()),
)


@SETTINGS
@given(headers=st.dictionaries(header_names, header_values, max_size=8), body=bodies)
def test_decode_http_raises_only_codec_errors(headers: dict[str, str], body: bytes) -> None:
    try:
        event = decode_http(headers, body, max_body_bytes=48)
    except CodecError:
        return
    assert event.get_specversion() == "1.0"


@SETTINGS
@given(
    headers=st.lists(
        st.tuples(
            st.one_of(
                st.sampled_from(["ce_id", "ce_type", "ce_source", "ce_specversion", "type", "content-type"]),
                st.text(max_size=8),
            ),
            st.one_of(st.none(), st.binary(max_size=12), header_values.map(str.encode)),
        ),
        max_size=8,
    ),
    body=st.one_of(st.none(), bodies),
)
def test_from_kafka_record_raises_only_codec_errors(
    headers: list[tuple[str, bytes | None]], body: bytes | None
) -> None:
    try:
        event = from_kafka_record(headers, body)
    except CodecError:
        return
    assert event.get_specversion() == "1.0"


@SETTINGS
@given(type_=st.sampled_from(registry.types()), data=json_values)
def test_decode_data_raises_only_codec_errors(type_: str, data: Any) -> None:
    headers = {
        "ce-id": "1",
        "ce-source": "s",
        "ce-type": type_,
        "ce-specversion": "1.0",
        "content-type": "application/json",
    }
    event = decode_http(headers, json.dumps(data).encode())
    try:
        decode_data(event)
    except CodecError:
        return


@SETTINGS
@given(data=json_values, requestid=st.text(alphabet=st.characters(codec="utf-8"), min_size=1))
def test_any_json_data_and_extension_value_round_trip(data: Any, requestid: str) -> None:
    headers = {
        "ce-id": "1",
        "ce-source": "s",
        "ce-type": "t",
        "ce-specversion": "1.0",
        "content-type": "application/json",
    }
    event = decode_http(headers, json.dumps(data).encode())
    tagged = CloudEvent({**event.get_attributes(), "requestid": requestid}, event.get_data())
    for decoded in (
        decode_http(*encode_http_binary(tagged)),
        decode_http(*encode_http_structured(tagged)),
        from_kafka_record(*to_kafka_record(tagged)[1:]),
    ):
        assert decoded.get_data() == data
        assert decoded.get_extension("requestid") == requestid
