"""Contract tests for every registered event type: samples exist, validate, and round-trip through every binding.

Parametrized over the registry, so a newly registered type is covered automatically and fails until
it has a sample file in `data/events/<type>.json` (a JSON list of payloads).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cloudevents.core.v1.event import CloudEvent

from warden_common.codec import (
    CodecError,
    Event,
    InvalidEventDataError,
    UnknownEventTypeError,
    decode_http,
    encode_http_binary,
    encode_http_structured,
    from_kafka_record,
    to_kafka_record,
)
from warden_common.events import build_event, decode_data, registry
from warden_common.events.registry import EventSpec

SAMPLES_DIR = Path(__file__).parent / "data" / "events"
SOURCE = "/warden/tests"
WHEN = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)


def _samples(type_: str) -> list[dict[str, Any]]:
    path = SAMPLES_DIR / f"{type_}.json"
    assert path.is_file(), f"registered event type {type_!r} has no sample payload file {path}"
    samples = json.loads(path.read_text())
    assert isinstance(samples, list) and samples, f"{path} must hold a non-empty JSON list of payloads"
    return samples


def _cases() -> list[Any]:
    return [
        pytest.param(spec, index, id=f"{spec.type}#{index}")
        for spec in registry
        for index in range(len(_samples(spec.type)) if (SAMPLES_DIR / f"{spec.type}.json").is_file() else 1)
    ]


@pytest.mark.parametrize("type_", registry.types())
def test_every_registered_type_has_samples(type_: str) -> None:
    assert len(_samples(type_)) >= 1


def test_every_sample_file_belongs_to_a_registered_type() -> None:
    stray = sorted(p.stem for p in SAMPLES_DIR.glob("*.json") if p.stem not in registry)
    assert stray == []


def _round_trips(event: CloudEvent) -> dict[str, Event]:
    binary_headers, binary_body = encode_http_binary(event)
    structured_headers, structured_body = encode_http_structured(event)
    key, kafka_headers, kafka_value = to_kafka_record(event, key="k")
    assert key == b"k"
    return {
        "http-binary": decode_http(binary_headers, binary_body),
        "http-structured": decode_http(structured_headers, structured_body),
        "kafka-binary": from_kafka_record(kafka_headers, kafka_value, key),
    }


@pytest.mark.parametrize(("spec", "index"), _cases())
def test_sample_round_trips_through_every_binding(spec: EventSpec, index: int) -> None:
    sample = _samples(spec.type)[index]
    extensions = {"requestid": "req-1", "namespace": "seldon"}
    event = build_event(spec.type, sample, source=SOURCE, extensions=extensions, id="evt-1", time=WHEN)
    assert event.get_data() == sample  # peers pass through as given; Warden samples are complete dumps
    expected = decode_data(event)
    for binding, decoded in _round_trips(event).items():
        assert decoded.get_attributes() == event.get_attributes(), binding
        assert decoded.get_data() == sample, binding
        assert decode_data(decoded) == expected, binding
        assert type(decode_data(decoded)) is type(expected), binding


@pytest.mark.parametrize(("spec", "index"), _cases())
def test_built_from_the_model_equals_built_from_the_mapping(spec: EventSpec, index: int) -> None:
    sample = _samples(spec.type)[index]
    model = spec.validate(sample)
    from_model = build_event(spec.type, model, source=SOURCE, id="evt-1", time=WHEN)
    assert decode_data(from_model) == model


@pytest.mark.parametrize("spec", [s for s in registry if not s.peer], ids=lambda s: s.type)
def test_warden_types_forbid_unknown_fields(spec: EventSpec) -> None:
    sample = {**_samples(spec.type)[0], "surprise": 1}
    with pytest.raises(InvalidEventDataError, match=r"surprise: Extra inputs are not permitted") as err:
        build_event(spec.type, sample, source=SOURCE)
    assert err.value.details == [
        {"path": "surprise", "msg": "Extra inputs are not permitted", "type": "extra_forbidden"}
    ]


@pytest.mark.parametrize("spec", [s for s in registry if s.peer], ids=lambda s: s.type)
def test_peer_types_keep_unknown_fields(spec: EventSpec) -> None:
    sample = {**_samples(spec.type)[0], "addedbylaterversion": {"x": 1}}
    event = build_event(spec.type, sample, source=SOURCE)
    payload = decode_data(event)
    assert payload.model_extra == {"addedbylaterversion": {"x": 1}}
    assert payload.model_dump(exclude_unset=True)["addedbylaterversion"] == {"x": 1}


def test_warden_types_are_versioned_reverse_dns() -> None:
    own = [spec.type for spec in registry if not spec.peer]
    assert own and all(t.startswith("io.warden.") and t.endswith(".v1") for t in own)


def test_registering_a_type_twice_is_refused() -> None:
    spec = registry["io.warden.model.deleted.v1"]
    with pytest.raises(ValueError, match="already registered"):
        registry.register(spec)


def test_unknown_type_is_named() -> None:
    event = CloudEvent({"id": "1", "source": "s", "type": "com.example.nope", "specversion": "1.0"}, {})
    with pytest.raises(UnknownEventTypeError, match=r"com\.example\.nope"):
        decode_data(event)
    with pytest.raises(UnknownEventTypeError):
        build_event("com.example.nope", {}, source=SOURCE)


def test_build_event_defaults_id_time_and_content_type() -> None:
    event = build_event("io.warden.model.deleted.v1", {"uri": "s3://m", "project": "p"}, source=SOURCE)
    attributes = event.get_attributes()
    assert len(attributes["id"]) == 36
    assert attributes["time"].tzinfo is not None
    assert attributes["datacontenttype"] == "application/json"
    assert event.get_data() == {"uri": "s3://m", "project": "p", "actor": None}


def test_build_event_does_not_mutate_or_share_its_inputs() -> None:
    sample = {"data": {"ndarray": [[1, 2]]}}
    extensions = {"requestid": "r"}
    event = build_event("io.seldon.serving.inference.request", sample, source=SOURCE, extensions=extensions)
    assert sample == {"data": {"ndarray": [[1, 2]]}} and extensions == {"requestid": "r"}
    sample["data"]["ndarray"].append([3, 4])
    assert event.get_data() == {"data": {"ndarray": [[1, 2]]}}


def test_build_event_refuses_extensions_that_override_core_attributes() -> None:
    with pytest.raises(CodecError, match=r"extensions may not set core attributes \['id', 'type'\]"):
        build_event(
            "io.warden.model.deleted.v1",
            {"uri": "u", "project": "p"},
            source=SOURCE,
            extensions={"id": "x", "type": "y"},
        )


def test_build_event_refuses_invalid_extension_names() -> None:
    with pytest.raises(CodecError, match="'Bad_Name'"):
        build_event(
            "io.warden.model.deleted.v1", {"uri": "u", "project": "p"}, source=SOURCE, extensions={"Bad_Name": "x"}
        )


def test_build_event_names_the_bad_field_path() -> None:
    bad = {"namespace": "ns", "name": "d", "kind": "Deployment", "spec": {}, "actor": "a", "predictors": [{"name": ""}]}
    with pytest.raises(InvalidEventDataError) as err:
        build_event("io.warden.deployment.created.v1", bad, source=SOURCE)
    paths = [d["path"] for d in err.value.details]
    assert paths == ["kind", "predictors[0].name"]
    assert "kind: Input should be 'SeldonDeployment' or 'InferenceService'" in str(err.value)


def test_decode_data_names_the_bad_field_path_and_protocol() -> None:
    event = CloudEvent(
        {"id": "1", "source": "s", "type": "io.seldon.serving.inference.request", "specversion": "1.0"},
        {"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}, {"datatype": "FP32"}]},
    )
    with pytest.raises(InvalidEventDataError) as err:
        decode_data(event)
    assert {(d["path"], d["protocol"]) for d in err.value.details} == {
        ("inputs[1].name", "v2-request"),
        ("inputs[1].shape", "v2-request"),
    }
    assert err.value.status_code == 400


def test_decode_data_rejects_bytes_for_json_only_types() -> None:
    event = CloudEvent(
        {"id": "1", "source": "s", "type": "io.seldon.serving.inference.outlier", "specversion": "1.0"}, b"\x00\x01"
    )
    with pytest.raises(InvalidEventDataError, match=r"must be JSON, got 2 bytes"):
        decode_data(event)


def test_raw_bytes_need_an_opaque_type_and_a_content_type() -> None:
    with pytest.raises(CodecError, match="raw bytes"):
        build_event("io.seldon.serving.inference.request", b"\x08\x01", source=SOURCE)
    with pytest.raises(CodecError, match="raw bytes"):
        build_event("io.warden.model.deleted.v1", b"{}", source=SOURCE, datacontenttype="application/json")
