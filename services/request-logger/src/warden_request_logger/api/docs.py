"""What the request logger's routes show in the public OpenAPI document: bodies, answers and their examples."""

from __future__ import annotations

from typing import Any

from warden_common.api_docs import ErrorBody, json_response

_OBJECT: dict[str, Any] = {"type": "object", "additionalProperties": True}

EVENT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "Binary mode: the payload as the body, the event attributes as `ce-*` headers "
        "(`ce-type: io.seldon.serving.inference.request`, `ce-id`, `ce-source`, `ce-specversion: 1.0`, "
        "`ce-requestid`, ...). Structured mode: the whole event as `application/cloudevents+json`.",
        "content": {
            "application/json": {
                "schema": {**_OBJECT, "description": "The event's data (binary mode)"},
                "example": {"data": {"ndarray": [[5.1, 3.5, 1.4, 0.2]]}},
            },
            "application/cloudevents+json": {
                "schema": {**_OBJECT, "description": "The whole CloudEvent (structured mode)"},
                "example": {
                    "specversion": "1.0",
                    "type": "io.seldon.serving.inference.request",
                    "source": "io.seldon.serving.deployment.seldon.iris",
                    "id": "5f1b2c3d-7a8e-4b9c-8d0e-1f2a3b4c5d6e",
                    "requestid": "5f1b2c3d-7a8e-4b9c-8d0e-1f2a3b4c5d6e",
                    "datacontenttype": "application/json",
                    "data": {"data": {"ndarray": [[5.1, 3.5, 1.4, 0.2]]}},
                },
            },
        },
    }
}

LOGGED = json_response(
    {"type": "object", "properties": {"status": {"const": "logged"}, "requestId": {"type": ["string", "null"]}}},
    {"status": "logged", "requestId": "5f1b2c3d-7a8e-4b9c-8d0e-1f2a3b4c5d6e"},
    "The event's documents are stored",
)

SEARCH = json_response(
    {
        "type": "object",
        "properties": {
            "requests": {"type": "array", "items": _OBJECT},
            "total": {"type": "integer"},
            "nextPageToken": {"type": ["string", "null"]},
        },
    },
    {
        "requests": [
            {
                "id": "5f1b2c3d-7a8e-4b9c-8d0e-1f2a3b4c5d6e-0",
                "requestId": "5f1b2c3d-7a8e-4b9c-8d0e-1f2a3b4c5d6e",
                "namespace": "seldon",
                "deployment": "iris",
                "endpoint": "default",
                "protocol": "seldon",
                "@timestamp": "2026-01-05T10:00:00Z",
                "request": {"instance": [5.1, 3.5, 1.4, 0.2]},
                "response": {"instance": [0.9, 0.08, 0.02]},
                "instance": [5.1, 3.5, 1.4, 0.2],
                "payloads": {},
            }
        ],
        "total": 1,
        "nextPageToken": None,
    },
    "One page of logged requests, newest first unless `sort=asc`",
)

REFUSED: dict[str, Any] = {
    "model": ErrorBody,
    "description": "The ingest token is required and was not presented (standalone: `auth.ingest_token` or an "
    "administrator's token, with auth on; distributed: `WARDEN_LOGGER_INGEST_TOKEN`, when set)",
    "headers": {
        "WWW-Authenticate": {
            "description": '`Bearer realm="warden-ingest"` and `Basic realm="warden-ingest"`: the token as a bearer '
            "token, or as the HTTP Basic password (any user name)",
            "required": True,
            "schema": {"type": "string"},
        }
    },
}
