"""Examples and answer schemas the gateway's routes show in the public OpenAPI document (documentation only)."""

from __future__ import annotations

from typing import Any

from warden_common.api_docs import json_response
from warden_gateway.api.body_schemas import deployment_list, deployment_object
from warden_gateway.deployments.kinds import DeploymentKind

OBJECT: dict[str, Any] = {"type": "object", "additionalProperties": True}

NAMESPACE: dict[str, Any] = {
    "name": "staging",
    "labels": {"seldon.restricted": "false", "seldon.gitops": "enabled"},
    "annotations": {"git-repo": "file:///srv/git/staging.git"},
    "uid": "4f0c1f5e-2a55-4c2b-9a63-0d5e8f1f6a10",
    "resourceVersion": "1",
    "creationTimestamp": "2026-01-05T10:00:00Z",
    "status": {"phase": "Active"},
}

_METADATA = {
    "name": "iris",
    "namespace": "seldon",
    "uid": "0b8f3c1e-6d1a-4f7e-9c2b-5a4e3d2c1b0a",
    "generation": 1,
    "resourceVersion": "3",
    "creationTimestamp": "2026-01-05T10:00:00Z",
}
_SUBMITTED_METADATA = ("name", "namespace")

_OBJECTS: dict[str, dict[str, Any]] = {
    "SeldonDeployment": {
        "apiVersion": "machinelearning.seldon.io/v1",
        "kind": "SeldonDeployment",
        "metadata": _METADATA,
        "spec": {
            "predictors": [
                {
                    "name": "default",
                    "replicas": 1,
                    "traffic": 100,
                    "graph": {
                        "name": "classifier",
                        "implementation": "SKLEARN_SERVER",
                        "modelUri": "file:///models/iris",
                    },
                }
            ]
        },
        "status": {"state": "Available"},
    },
    "InferenceService": {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": _METADATA,
        "spec": {"predictor": {"sklearn": {"storageUri": "file:///models/iris", "protocolVersion": "v2"}}},
        "status": {"conditions": [{"type": "Ready", "status": "True"}]},
    },
}

_DONE_SCHEMA = {
    "type": "object",
    "properties": {"code": {"type": "integer"}, "message": {"type": "string"}},
    "required": ["code", "message"],
}


def kind_object(kind: DeploymentKind) -> dict[str, Any]:
    """An example `kind` object as the API answers it."""
    return _OBJECTS[kind.kind]


def kind_request(kind: DeploymentKind) -> dict[str, Any]:
    """An example `kind` body as a client submits it: no status, no server-managed metadata."""
    obj = {key: value for key, value in kind_object(kind).items() if key != "status"}
    return {**obj, "metadata": {key: obj["metadata"][key] for key in _SUBMITTED_METADATA}}


def object_answer(kind: DeploymentKind) -> dict[str, Any]:
    return json_response(deployment_object(kind), kind_object(kind), f"The {kind.kind}")


def list_answer(kind: DeploymentKind) -> dict[str, Any]:
    example = {
        "apiVersion": kind.default_api_version,
        "kind": f"{kind.kind}List",
        "metadata": {"resourceVersion": "3"},
        "items": [kind_object(kind)],
    }
    return json_response(deployment_list(kind), example, f"Every {kind.kind} of the namespace")


def done_answer(message: str) -> dict[str, Any]:
    return json_response(_DONE_SCHEMA, {"code": 200, "message": message})
