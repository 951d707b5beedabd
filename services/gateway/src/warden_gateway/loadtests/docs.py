"""What the public OpenAPI document shows of load tests: the request body (form or JSON) and the answers."""

from __future__ import annotations

from typing import Any

_IRIS = {"data": {"names": ["Sepal length", "Sepal width", "Petal length", "Petal Width"],
                  "ndarray": [[6.8, 2.8, 4.8, 1.4], [6.1, 3.4, 4.5, 1.6]]}}  # fmt: skip

_FIELDS: dict[str, Any] = {
    "jobName": {"type": "string", "description": "The job's name (DNS-1123 label); default loadtest-<random>"},
    "connectionsNumber": {"type": "integer", "minimum": 1, "default": 1, "description": "Concurrent connections"},
    "requestsNumber": {"type": "integer", "minimum": 1, "description": "Requests to send in all (or give duration)"},
    "duration": {"type": "string", "description": "Seconds to run for, e.g. `30` or `30s`, `2m` (default 10 s)"},
}
_SCHEMA_JSON = {"type": "object", "additionalProperties": False, "properties": {
    **_FIELDS, "payload": {"type": "object", "description": "The prediction payload (default: the deployment's "
                           "newest logged request)"},
    "loadFile": {"type": "object", "description": "The prediction payload (same as payload)"}}}  # fmt: skip
_SCHEMA_FORM = {
    "type": "object",
    "properties": {
        **_FIELDS,
        "loadFile": {"type": "string", "format": "binary", "description": "A JSON file: the prediction payload"},
    },
}

LOAD_TEST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": False,
        "content": {
            "application/json": {"schema": _SCHEMA_JSON,
                                 "example": {"connectionsNumber": 4, "requestsNumber": 1000, "payload": _IRIS}},
            "multipart/form-data": {
                "schema": _SCHEMA_FORM,
                "example": {"connectionsNumber": "1", "duration": "10", "loadFile": "request.json"},
            },
        },
    }
}  # fmt: skip

_LATENCY = {"p50": 3.1, "p90": 4.9, "p99": 8.7, "max": 12.4, "mean": 3.4}
_ENDPOINT = {"requests": 750, "succeeded": 750, "failed": 0, "latencyMs": _LATENCY,
             "statusCodes": {"200": 750}, "errors": {}}  # fmt: skip
RESULT: dict[str, Any] = {
    "requests": 1000, "succeeded": 998, "failed": 2, "latencyMs": _LATENCY,
    "statusCodes": {"200": 998, "503": 2}, "errors": {"503": 2}, "durationSeconds": 2.9, "throughput": 344.8,
    "endpoints": {"canary": {**_ENDPOINT, "requests": 250, "succeeded": 248, "failed": 2,
                             "statusCodes": {"200": 248, "503": 2}, "errors": {"503": 2}}, "default": _ENDPOINT},
}  # fmt: skip
JOB: dict[str, Any] = {
    "jobName": "loadtest-3f9a1c2b", "namespace": "seldon", "deploymentName": "iris",
    "deploymentKind": "seldondeployments", "status": "Succeeded", "connectionsNumber": 4, "requestsNumber": 1000,
    "duration": None, "path": "/seldon/seldon/iris/api/v1.0/predictions", "payload": _IRIS, "createdBy": "admin",
    "createdAt": "2026-01-05T10:00:00Z", "startedAt": "2026-01-05T10:00:00Z", "finishedAt": "2026-01-05T10:00:03Z",
    "reason": None, "result": RESULT,
}  # fmt: skip
LOAD_TEST_CREATED = {
    "code": 201,
    "message": "load test job loadtest-3f9a1c2b created",
    "jobName": "loadtest-3f9a1c2b",
    "job": {**JOB, "status": "Pending", "startedAt": None, "finishedAt": None, "result": None},
}
LOAD_TEST_LIST = {"code": 200, "message": "load test jobs of seldon/iris: loadtest-3f9a1c2b (Succeeded)",
                  "jobs": [JOB]}  # fmt: skip
