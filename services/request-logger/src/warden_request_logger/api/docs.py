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

_NUMBER_OR_NULL: dict[str, Any] = {"type": ["number", "null"]}
_BUCKETS: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "key": {"type": "string", "description": "Histogram bucket lower bound, category, class or slice start"},
            "count": {"type": "number"},
            "distribution": {"type": "object", "description": "Nested buckets (per class, per time slice)"},
        },
    },
}
_COMMON: dict[str, Any] = {
    "feature": {"type": "string"},
    "type": {"type": "string", "enum": ["REAL", "CATEGORICAL", "PROBA", "ONE_HOT"]},
    "interaction": {"type": "string", "enum": ["request", "response"]},
    "total_instances": {"type": "integer", "description": "Logged instances matching the time range and filters"},
}

DISTRIBUTION = json_response(
    {
        "type": "object",
        "properties": {**_COMMON, "distribution": {"type": "object", "properties": {"buckets": _BUCKETS}}},
    },
    {
        "feature": "Income",
        "type": "PROBA",
        "interaction": "response",
        "total_instances": 1200,
        "distribution": {
            "buckets": [
                {
                    "key": "<=$50K",
                    "count": 901.4,
                    "distribution": {"buckets": [{"key": "0.7", "count": 310.0}, {"key": "0.8", "count": 591.0}]},
                },
                {"key": ">$50K", "count": 298.6, "distribution": {"buckets": [{"key": "0.2", "count": 1200.0}]}},
            ]
        },
    },
    "The feature's distribution: with `aggregate_over_time` one set of buckets (histogram / categories / classes), "
    "else one bucket per time slice (`key`: its start, `count`: its instances) holding them",
)

_STATS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "count": {"type": "integer"},
        "min": _NUMBER_OR_NULL,
        "max": _NUMBER_OR_NULL,
        "avg": _NUMBER_OR_NULL,
        "most_frequent_category": {"type": ["string", "null"]},
        "most_frequent_category_count": _NUMBER_OR_NULL,
        "buckets": {
            "type": "array",
            "items": {"type": "object", "properties": {"key": {"type": "string"}, "stats": {"type": "object"}}},
        },
    },
}

STATISTICS = json_response(
    {"type": "object", "properties": {**_COMMON, "stats": _STATS}},
    {
        "feature": "Age",
        "type": "REAL",
        "interaction": "request",
        "total_instances": 1200,
        "stats": {
            "count": 1200,
            "min": 17.0,
            "max": 90.0,
            "avg": 38.6,
            "buckets": [
                {"key": "2026-01-05T10:00:00Z", "stats": {"count": 600, "min": 17.0, "max": 88.0, "avg": 38.1}},
                {"key": "2026-01-05T11:00:00Z", "stats": {"count": 600, "min": 18.0, "max": 90.0, "avg": 39.1}},
            ],
        },
    },
    "count / min / max / avg (REAL), the most frequent category and its count (CATEGORICAL; per category in "
    "`buckets`), per-class stats in `buckets` and the class of highest average (PROBA); without "
    "`aggregate_over_time`, `buckets` holds the same per time slice",
)

FEATURE_DATA_EXAMPLES: dict[str, Any] = {
    "cohort": {
        "summary": "Predictions for Age 25-50 and two education levels, aggregated over a day",
        "value": {
            "feature": "Income",
            "interaction": "response",
            "aggregate_over_time": True,
            "parameters": {"histogram_interval": 0.1},
            "filters": [
                {"is_timestamp": True, "gte": "2026-01-05T00:00:00Z", "lt": "2026-01-06T00:00:00Z"},
                {"feature": "Age", "interaction": "request", "gte": "25", "lte": "50"},
                {"feature": "Education", "interaction": "request", "terms": ["High School grad", "Dropout"]},
            ],
        },
    },
    "over time": {
        "summary": "Age histogram (interval 11) in 30 time slices",
        "value": {"feature": "Age", "parameters": {"histogram_interval": 11, "number_of_time_buckets": 30}},
    },
}
