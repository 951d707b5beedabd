"""Precise schemas of the gateway's request and answer bodies in the public OpenAPI document (issue 17).

A fuzzer generates bodies from these schemas, so they say what the server really accepts: a body valid by the
schema gets past the door (it may still meet a conflict or a rule no schema expresses, e.g. traffic summing to 100),
and one that is not is refused with a 4xx.

SeldonDeployment and InferenceService bodies are the real CRD schemas (`warden_gateway.crds`, the ones the gateway
validates against), turned into OpenAPI 3.1 / JSON Schema 2020-12: `nullable` becomes a `"null"` type; the
`x-kubernetes-*` keywords stay as extensions (JSON Schema ignores them; the gateway's validator enforces the list
ones); `status` is left out (observed, never submitted). What the gateway checks beyond the CRD (`semantics.py`)
is added where a schema can say it: `apiVersion`, `kind`, `metadata.name`/`namespace` patterns. They are
components (`#/components/schemas/SeldonDeployment`, ...): the InferenceService schema alone is ~350 kB.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from warden_common.git_remotes import GIT_REMOTE_PATTERN
from warden_common.names import MAX_LABEL_LENGTH
from warden_gateway.crds import CrdName, load_crd
from warden_gateway.deployments.kinds import DeploymentKind

DNS1123_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
DNS1035_LABEL = "^[a-z]([-a-z0-9]*[a-z0-9])?$"
_QUALIFIED_NAME = (  # [DNS subdomain/]label name
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
_LABEL_VALUE = r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$"

SCHEMA_REF = "#/components/schemas/"
_CRD_COMPONENTS: dict[str, CrdName] = {"SeldonDeployment": "seldondeployment", "InferenceService": "inferenceservice"}


def _name(pattern: str, description: str) -> dict[str, Any]:
    return {
        "type": "string",
        "pattern": pattern,
        "minLength": 1,
        "maxLength": MAX_LABEL_LENGTH,
        "description": description,
    }


_LABELS: dict[str, Any] = {
    "type": "object",
    "description": "Label keys are `[prefix/]name` (Kubernetes qualified names); values at most 63 characters.",
    "propertyNames": {"pattern": _QUALIFIED_NAME, "maxLength": 253},
    "additionalProperties": {"type": "string", "pattern": _LABEL_VALUE, "maxLength": MAX_LABEL_LENGTH},
}
_ANNOTATIONS: dict[str, Any] = {
    "type": "object",
    "propertyNames": {"pattern": _QUALIFIED_NAME, "maxLength": 253},
    "additionalProperties": {"type": "string", "pattern": "^[^\\x00]*$"},  # PostgreSQL cannot store a NUL
}

NAMESPACE_BODY: dict[str, Any] = {
    "type": "object",
    "description": (
        "A namespace: its name (a DNS-1123 label) and labels/annotations. Conventions the gateway checks: "
        '`seldon.restricted` is "true"/"false", `seldon.group.<g>`/`seldon.user.<u>` are "read"/"write", '
        '`seldon.gitops` is "enabled"/"disabled" and "enabled" needs the `git-repo` annotation.'
    ),
    "properties": {
        "name": _name(DNS1123_LABEL, "The namespace: a DNS-1123 label (on PUT: the path's, or left out)."),
        "labels": {
            **_LABELS,
            "properties": {
                "seldon.restricted": {"enum": ["true", "false"]},
                "seldon.gitops": {"enum": ["enabled", "disabled"]},
            },
            "patternProperties": {r"^seldon\.(group|user)\.": {"enum": ["read", "write"]}},
        },
        "annotations": {
            **_ANNOTATIONS,
            "properties": {
                "git-repo": {
                    "type": "string",
                    "pattern": GIT_REMOTE_PATTERN,
                    "description": "A GitOps namespace's repository: an absolute path, a file://, git://, "
                    "http(s):// (a token as its password) or ssh:// URL, or user@host:path.",
                }
            },
        },
        "resourceVersion": {"type": "string", "description": "PUT only: must be the current one (else 409)."},
    },
    # A GitOps namespace names its git repository.
    "if": {
        "required": ["labels"],
        "properties": {
            "labels": {"required": ["seldon.gitops"], "properties": {"seldon.gitops": {"const": "enabled"}}}
        },
    },
    "then": {
        "required": ["annotations"],
        "properties": {"annotations": {"required": ["git-repo"]}},
    },
}
"""The JSON body of `POST /namespaces` (`name` required) and `PUT /namespaces/{namespace}`; other fields (the
answer's `uid`, `status`, ...) are ignored, so a namespace read can be sent back."""

NAMESPACE_CREATE_BODY: dict[str, Any] = {**NAMESPACE_BODY, "required": ["name"]}

NAMESPACE_OBJECT: dict[str, Any] = {
    "type": "object",
    "required": ["name", "labels", "annotations", "uid", "resourceVersion", "creationTimestamp", "status"],
    "properties": {
        "name": {"type": "string", "pattern": DNS1123_LABEL},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
        "uid": {"type": "string", "format": "uuid"},
        "resourceVersion": {"type": "string", "pattern": "^[0-9]+$"},
        "creationTimestamp": {"type": "string", "format": "date-time"},
        "status": {
            "type": "object",
            "required": ["phase"],
            "properties": {"phase": {"const": "Active"}},
        },
    },
}


def deployment_object(kind: DeploymentKind) -> dict[str, Any]:
    """A stored `kind` object as the API answers it: the submitted body plus server-managed metadata and status."""
    return {
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec", "status"],
        "properties": {
            "apiVersion": {"enum": list(kind.crd.api_versions)},
            "kind": {"const": kind.kind},
            "metadata": {
                "type": "object",
                "required": ["name", "namespace", "uid", "generation", "resourceVersion", "creationTimestamp"],
                "properties": {
                    "name": {"type": "string"},
                    "namespace": {"type": "string", "pattern": DNS1123_LABEL},
                    "uid": {"type": "string", "format": "uuid"},
                    "generation": {"type": "integer", "minimum": 1},
                    "resourceVersion": {"type": "string", "pattern": "^[0-9]+$"},
                    "creationTimestamp": {"type": "string", "format": "date-time"},
                },
            },
            "spec": {"type": "object"},
            "status": {"type": "object"},
        },
    }


def deployment_list(kind: DeploymentKind) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "items"],
        "properties": {
            "apiVersion": {"type": "string"},
            "kind": {"const": f"{kind.kind}List"},
            "metadata": {
                "type": "object",
                "required": ["resourceVersion"],
                "properties": {"resourceVersion": {"type": "string", "pattern": "^[0-9]+$"}},
            },
            "items": {"type": "array", "items": deployment_object(kind)},
        },
    }


def deployment_ref(kind: DeploymentKind) -> dict[str, Any]:
    """The request body schema of `kind` in the public document: a reference to its component."""
    return {"$ref": SCHEMA_REF + kind.kind}


def _to_openapi31(schema: Any) -> Any:
    """The CRD's OpenAPI 3.0 schema as JSON Schema 2020-12: `nullable: true` becomes a `"null"` type."""
    if isinstance(schema, list):
        return [_to_openapi31(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {
        key: ({k: _to_openapi31(v) for k, v in value.items()} if key == "properties" else _to_openapi31(value))
        for key, value in schema.items()
    }
    if out.pop("nullable", False) and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    return out


@functools.cache
def _crd_component(kind_name: str) -> dict[str, Any]:
    crd = load_crd(_CRD_COMPONENTS[kind_name])
    schema: dict[str, Any] = _to_openapi31(copy.deepcopy(crd.schema))
    schema["properties"].pop("status", None)
    is_isvc = kind_name == "InferenceService"
    name_rule = "a DNS-1035 label (starts with a letter)" if is_isvc else "a DNS-1123 label"
    schema["properties"].update(
        apiVersion={"enum": list(crd.api_versions)},
        kind={"const": crd.kind},
        metadata={
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {
                    **_name(DNS1035_LABEL if is_isvc else DNS1123_LABEL, f"The name: {name_rule}; on PUT the path's."),
                    "not": {"const": "validate"},  # reserved: it names the validation endpoint
                },
                "namespace": _name(DNS1123_LABEL, "The path's namespace, or left out."),
                "labels": _LABELS,
                "annotations": _ANNOTATIONS,
            },
        },
    )
    schema["required"] = ["apiVersion", "kind", "metadata", "spec"]
    schema["description"] = (
        f"A {crd.kind} ({', '.join(crd.api_versions)}): the real CRD's schema. Also checked, as Seldon Core's and "
        "KServe's admission webhooks do: a model server Warden runs and a usable model URI, unique names, "
        "traffic of a SeldonDeployment's non-shadow predictors summing to 100."
    )
    return schema


def crd_components() -> dict[str, dict[str, Any]]:
    """`components/schemas` entries the deployment bodies reference."""
    return {name: _crd_component(name) for name in _CRD_COMPONENTS}
