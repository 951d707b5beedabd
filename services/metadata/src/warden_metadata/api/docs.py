"""What the catalog routes show in the public OpenAPI document: bodies, answers and their examples."""

from __future__ import annotations

from typing import Any

from warden_common.api_docs import json_body, json_response

_OBJECT: dict[str, Any] = {"type": "object", "additionalProperties": True}

MODEL: dict[str, Any] = {
    "URI": "gs://seldon-models/sklearn/iris",
    "name": "iris",
    "version": "v1.0.0",
    "artifactType": "SKLEARN",
    "taskType": "classification",
    "tags": {"author": "Jon"},
    "metrics": {"accuracy": 0.97},
    "project": "default",
}

MODEL_BODY = json_body(
    {**_OBJECT, "description": "A catalog entry (the SDK's V1Model; camelCase or snake_case keys); URI is required"},
    MODEL,
)
EMPTY = json_response({"type": "object"}, {}, "Done (an empty object, as the SDK expects)")
MODELS = json_response(
    {
        "type": "object",
        "properties": {"models": {"type": "array", "items": _OBJECT}, "nextPageToken": {"type": ["string", "null"]}},
    },
    {"models": [{**MODEL, "creationTime": "2026-01-05T10:00:00Z"}], "nextPageToken": None},
    "One page of catalog entries",
)
RUNTIME = json_response(
    {
        "type": "object",
        "properties": {
            "runtimeMetadata": {"type": "array", "items": _OBJECT},
            "nextPageToken": {"type": ["string", "null"]},
        },
    },
    {
        "runtimeMetadata": [
            {
                "modelUri": MODEL["URI"],
                "deploymentName": "iris",
                "deploymentNamespace": "seldon",
                "predictorName": "default",
                "nodeName": "classifier",
                "deploymentStatus": "Running",
                "deploymentType": "SeldonDeployment",
                "shadow": False,
                "explainer": False,
                "traffic": "100",
                "creationTime": "2026-01-05T10:00:00Z",
            }
        ],
        "nextPageToken": None,
    },
    "One page of the models running in deployments",
)
