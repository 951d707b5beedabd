"""What a load-test request asks for, from the SDK's form fields (`multipart/form-data`: `loadFile`,
`connectionsNumber`, `requestsNumber`, `duration`) or the same names in a JSON object (`loadFile` or `payload` the
prediction payload itself). seldon-deploy-sdk 1.6 declares the form but sends `{}` as JSON (its generated client
drops form fields under a JSON content type): every field has a default, the payload the deployment's newest
logged request."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from warden_common.errors import BadRequest
from warden_common.names import dns1123_label_problem
from warden_gateway.loadtests.settings import LoadTestSettings

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")
_UNIT_S = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}
FIELDS = ("jobName", "connectionsNumber", "requestsNumber", "duration", "loadFile", "payload")


@dataclass(frozen=True)
class LoadTestSpec:
    name: str
    connections: int
    requests: int | None
    duration_s: float | None
    payload: Any | None
    """The prediction payload, or None: the caller looks up a default."""


def _bad(field: str, message: str) -> BadRequest:
    return BadRequest(f"{field}: {message}", code="invalid_load_test", details={"field": field})


def _given(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _count(fields: Mapping[str, Any], field: str, maximum: int) -> int | None:
    value = fields.get(field)
    if not _given(value):
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _bad(field, f"must be a whole number, got {json.dumps(value)}")
    try:
        number = int(value)
    except ValueError:
        raise _bad(field, f"must be a whole number, got {value!r}") from None
    if not 1 <= number <= maximum:
        raise _bad(field, f"must be between 1 and {maximum}, got {number}")
    return number


def _duration(fields: Mapping[str, Any], maximum: float) -> float | None:
    value = fields.get("duration")
    if not _given(value):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _bad("duration", f"must be seconds (a number, or e.g. '30s', '2m'), got {json.dumps(value)}")
    match = _DURATION.match(str(value))
    if match is None:
        raise _bad("duration", f"must be seconds (a number, or e.g. '30s', '2m'), got {value!r}")
    seconds = float(match[1]) * _UNIT_S[match[2]]
    if not 0 < seconds <= maximum:
        raise _bad("duration", f"must be more than 0 and at most {maximum:g} seconds, got {seconds:g}")
    return seconds


def _payload(fields: Mapping[str, Any]) -> Any | None:
    given = [name for name in ("loadFile", "payload") if _given(fields.get(name))]
    if len(given) > 1:
        raise _bad("payload", "give the prediction payload as loadFile or payload, not both")
    if not given:
        return None
    value = fields[given[0]]
    if isinstance(value, bytes | str):
        try:
            value = json.loads(value)
        except (ValueError, UnicodeDecodeError) as exc:
            raise _bad(given[0], f"is not a JSON prediction payload: {exc}") from None
    if not isinstance(value, dict):
        raise _bad(given[0], "must be a JSON object (the prediction payload in the deployment's protocol)")
    return value


def parse_spec(fields: Mapping[str, Any], settings: LoadTestSettings) -> LoadTestSpec:
    """`BadRequest` naming the field for anything wrong; an unknown field is refused, not ignored."""
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise _bad(unknown[0], f"unknown field; a load test takes {', '.join(FIELDS)}")
    name = fields.get("jobName")
    if _given(name):
        problem = dns1123_label_problem(name)
        if problem is not None:
            raise _bad("jobName", problem)
    else:
        name = f"loadtest-{secrets.token_hex(4)}"
    connections = _count(fields, "connectionsNumber", settings.max_connections) or 1
    requests = _count(fields, "requestsNumber", settings.max_requests)
    duration = _duration(fields, settings.max_duration_s)
    if requests is not None and duration is not None:
        raise _bad("duration", "give requestsNumber or duration, not both")
    if requests is None and duration is None:
        duration = settings.default_duration_s
    return LoadTestSpec(str(name), connections, requests, duration, _payload(fields))
