"""The OpenAPI schemas of the canary and shadow bodies, per kind: the three shapes `rollout_bodies` reads, as `oneOf`.

The shapes exclude each other as `parse_rollout` tells them apart: a body with `predictor` is the wrapped one; else
one with a model-serving field (`graph` for a SeldonDeployment, a KServe framework for an InferenceService) is a
complete predictor; else it is the short form, which takes no other field. The schemas are the documentation and
the fuzzer's input; `parse_rollout` stays the judge (it also checks the implementation and the model URI).
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, RootModel

from warden_gateway.deployments.rollout_bodies import DEFAULT_CANARY_TRAFFIC
from warden_gateway.deployments.semantics import ISVC_FRAMEWORKS

_PERCENT = {"type": "integer", "minimum": 0, "maximum": 100}
_COMMENT = {"type": "string", "description": "The version comment of the change."}
_MODEL_URI = {
    "type": "string",
    "pattern": r"^\S+$",
    "description": "The new model: a local path or an object store URI (file:///..., s3://bucket/..., gs://...).",
}


def _short(kind: str, *, canary: bool) -> dict[str, Any]:
    implementation = (
        "Its model format (sklearn, xgboost, ...) or Seldon server name; default: the current predictor's."
        if kind == "InferenceService"
        else "Its Seldon model server (SKLEARN_SERVER, XGBOOST_SERVER, ...); default: the current predictor's."
    )
    properties: dict[str, Any] = {
        "modelUri": _MODEL_URI,
        "implementation": {"type": "string", "minLength": 1, "description": implementation},
        "replicas": {"type": "integer", "minimum": 1},
        "comment": _COMMENT,
    }
    if canary:
        properties["traffic"] = {
            **_PERCENT,
            "description": f"The canary's share in percent (default {DEFAULT_CANARY_TRAFFIC}).",
        }
    if kind != "InferenceService":  # KServe has one predictor: its canary has no name of its own
        properties["name"] = {"type": "string", "minLength": 1, "description": "The new predictor's name."}
    return {
        "title": "Short form",
        "type": "object",
        "required": ["modelUri"],
        "properties": properties,
        "additionalProperties": False,
    }


def _predictor(kind: str, *, canary: bool) -> dict[str, Any]:
    if kind == "InferenceService":
        serving = [{"required": [f], "properties": {f: {"type": "object"}}} for f in ISVC_FRAMEWORKS]
        share = {"canaryTrafficPercent": _PERCENT} if canary else {}
        return {
            "title": "KServe predictor",
            "description": 'As in `spec.predictor`, e.g. `{"model": {"modelFormat", "storageUri"}}`.',
            "type": "object",
            "anyOf": serving,
            "properties": share,
            "not": {"required": ["predictor"]},
        }
    share = {"traffic": _PERCENT} if canary else {}
    return {
        "title": "SeldonDeployment predictor",
        "description": 'As in `spec.predictors[]`: `{"name", "graph": {"name", "implementation", "modelUri"}}`.',
        "type": "object",
        "required": ["graph"],
        "properties": {"graph": {"type": "object"}, "name": {"type": "string"}, **share, "comment": _COMMENT},
        "not": {"required": ["predictor"]},
    }


def _wrapped(kind: str, *, canary: bool) -> dict[str, Any]:
    inner = {key: value for key, value in _predictor(kind, canary=canary).items() if key != "title"}
    properties: dict[str, Any] = {"predictor": inner, "name": {"type": "string"}, "comment": _COMMENT}
    if canary:
        properties["traffic"] = _PERCENT
    return {
        "title": "Wrapped predictor",
        "type": "object",
        "required": ["predictor"],
        "properties": properties,
        "additionalProperties": False,
    }


def rollout_schema(kind: str, *, canary: bool, examples: list[Any]) -> dict[str, Any]:
    """The `oneOf` of the three accepted shapes of a `kind`'s canary (or shadow) body."""
    shapes = [_short(kind, canary=canary), _predictor(kind, canary=canary), _wrapped(kind, canary=canary)]
    return {"oneOf": shapes, "examples": examples}


_SELDON_CANARY = [
    {"modelUri": "file:///models/iris-xgboost", "implementation": "XGBOOST_SERVER", "traffic": 10},
    {
        "name": "canary",
        "traffic": 10,
        "graph": {"name": "classifier", "implementation": "XGBOOST_SERVER", "modelUri": "file:///models/iris-xgboost"},
    },
]
_ISVC_CANARY = [
    {"modelUri": "file:///models/iris-xgboost", "implementation": "xgboost", "traffic": 10},
    {
        "model": {"modelFormat": {"name": "xgboost"}, "storageUri": "file:///models/iris-xgboost"},
        "canaryTrafficPercent": 10,
    },
]
EXAMPLES: dict[tuple[str, bool], list[Any]] = {
    ("SeldonDeployment", True): _SELDON_CANARY,
    ("SeldonDeployment", False): [{"modelUri": "file:///models/iris-xgboost", "implementation": "XGBOOST_SERVER"}],
    ("InferenceService", True): _ISVC_CANARY,
    # Refused whatever it holds (KServe has no shadow); documented so the answer says so, not a 404.
    ("InferenceService", False): [{"modelUri": "file:///models/iris-xgboost", "implementation": "xgboost"}],
}


def rollout_model(kind: str, *, canary: bool) -> type[RootModel[dict[str, Any]]]:
    """A body model for FastAPI whose OpenAPI schema is `rollout_schema` (the route still reads it as a dict)."""
    schema = rollout_schema(kind, canary=canary, examples=EXAMPLES[kind, canary])

    def replace(json_schema: dict[str, Any]) -> None:
        json_schema.clear()
        json_schema.update(schema)

    action = "Canary" if canary else "Shadow"
    model = type(
        f"{kind}{action}Request",
        (RootModel[dict[str, Any]],),
        {"model_config": ConfigDict(json_schema_extra=replace), "__module__": __name__},
    )
    return model
