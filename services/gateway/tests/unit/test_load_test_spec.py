"""What a load-test request may ask for: the SDK's form fields or JSON, defaults, and a 400 naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from warden_common.errors import BadRequest
from warden_gateway.loadtests.generator import LoadRun
from warden_gateway.loadtests.settings import LoadTestSettings
from warden_gateway.loadtests.spec import parse_spec

SETTINGS = LoadTestSettings(max_connections=64)
PAYLOAD = {"data": {"ndarray": [[5.1, 3.5, 1.4, 0.2]]}}


def test_the_sdk_form_fields_arrive_as_strings_and_the_payload_as_a_file() -> None:
    fields = {"connectionsNumber": "4", "requestsNumber": "1000", "loadFile": b'{"data": {"ndarray": [[1, 2]]}}'}
    spec = parse_spec(fields, SETTINGS)
    assert (spec.connections, spec.requests, spec.duration_s) == (4, 1000, None)
    assert spec.payload == {"data": {"ndarray": [[1, 2]]}}
    assert spec.name.startswith("loadtest-")


def test_an_empty_body_takes_the_defaults_and_leaves_the_payload_to_be_found() -> None:
    spec = parse_spec({}, SETTINGS)
    assert (spec.connections, spec.requests, spec.duration_s, spec.payload) == (1, None, 10.0, None)


@pytest.mark.parametrize(("duration", "seconds"), [("30", 30.0), (45, 45.0), ("2m", 120.0), ("1.5s", 1.5)])
def test_durations_in_seconds_or_with_a_unit(duration: Any, seconds: float) -> None:
    assert parse_spec({"duration": duration, "payload": PAYLOAD}, SETTINGS).duration_s == seconds


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"connectionsNumber": "0"}, "connectionsNumber"),
        ({"connectionsNumber": 65}, "connectionsNumber"),
        ({"connectionsNumber": "many"}, "connectionsNumber"),
        ({"connectionsNumber": True}, "connectionsNumber"),
        ({"requestsNumber": -1}, "requestsNumber"),
        ({"duration": "soon"}, "duration"),
        ({"duration": "2d"}, "duration"),
        ({"duration": 0}, "duration"),
        ({"duration": "10", "requestsNumber": "5"}, "duration"),
        ({"loadFile": b"{not json"}, "loadFile"),
        ({"payload": [1, 2]}, "payload"),
        ({"payload": PAYLOAD, "loadFile": PAYLOAD}, "payload"),
        ({"jobName": "Bad_Name"}, "jobName"),
        ({"connections": 3}, "connections"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(fields: dict[str, Any], field: str) -> None:
    with pytest.raises(BadRequest) as caught:
        parse_spec(fields, SETTINGS)
    assert caught.value.details == {"field": field}
    assert caught.value.message.startswith(f"{field}: ")


def test_a_run_summarises_overall_and_per_endpoint() -> None:
    run = LoadRun()
    for latency_us in (1000, 2000, 3000, 4000):
        run.record("default", "200", latency_us)
    run.record("canary", "200", 10_000)
    run.record("canary", "503", 500)
    run.record("unknown", "transport", 30_000)
    summary = run.summary()
    assert (summary["requests"], summary["succeeded"], summary["failed"]) == (7, 5, 2)
    assert summary["statusCodes"] == {"200": 5, "503": 1, "transport": 1}
    assert summary["errors"] == {"503": 1, "transport": 1}
    assert summary["latencyMs"]["p50"] == pytest.approx(3.0, rel=0.01)
    assert summary["latencyMs"]["max"] == pytest.approx(30.0, rel=0.01)
    assert summary["endpoints"]["default"]["latencyMs"]["p99"] == pytest.approx(4.0, rel=0.01)
    assert summary["endpoints"]["canary"]["errors"] == {"503": 1}
