"""What the catalog routes show in the public OpenAPI document: bodies, answers and their examples."""

from __future__ import annotations

from typing import Any

from warden_common.api_docs import json_body, json_response
from warden_metadata.schemas import ModelIn

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


def _inlined(schema: Any, defs: dict[str, Any]) -> Any:
    """`schema` with its `#/$defs/...` references replaced by their definitions (none is recursive): a body schema
    inside the public document cannot carry its own `$defs` root."""
    if isinstance(schema, list):
        return [_inlined(item, defs) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        target = _inlined(defs[schema["$ref"].removeprefix("#/$defs/")], defs)
        return {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    return {key: _inlined(value, defs) for key, value in schema.items()}


def _model_in_schema() -> dict[str, Any]:
    schema = ModelIn.model_json_schema(mode="validation")
    defs = schema.pop("$defs", {})
    inlined: dict[str, Any] = _inlined(schema, defs)
    inlined["description"] = (
        "A catalog entry (the SDK's V1Model). The camelCase keys are shown; the snake_case ones are accepted too "
        "(`artifact_type`, ...), and `artifactType` in any case."
    )
    return inlined


MODEL_BODY = json_body(_model_in_schema(), MODEL)
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
