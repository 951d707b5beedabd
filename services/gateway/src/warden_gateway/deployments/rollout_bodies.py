"""The bodies of `POST {deployment}/canary` and `/shadow`, in the shapes people send, read into one `Rollout`.

Accepted (each may carry a `comment`, the version comment of the change):

- short: `{"modelUri", "implementation"?, "traffic"?, "name"?, "replicas"?}` — the new model and its server;
  `implementation` defaults to the current default predictor's, `traffic` (canary only) to 10;
- a complete predictor: a SeldonDeployment predictor (`{"name"?, "traffic"?, "graph": {...}, ...}`) or a KServe
  predictor (`{"model": {"modelFormat", "storageUri"}, "canaryTrafficPercent"?, ...}`), as in the object's spec;
- the same predictor wrapped: `{"predictor": {...}, "traffic"?, "name"?}`.

Anything else is a 422 naming the field and showing these shapes.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from warden_common.errors import Unprocessable
from warden_common.model_servers import (
    BY_IMPLEMENTATION,
    BY_MODEL_FORMAT,
    accepted_model_formats,
    implementation_problem,
)
from warden_common.objectstore import model_uri_problem
from warden_gateway.deployments.semantics import ISVC_FRAMEWORKS

DEFAULT_CANARY_TRAFFIC = 10

_SELDON_SHAPES = (
    '{"modelUri": "file:///models/iris-xgb", "implementation": "XGBOOST_SERVER", "traffic": 10, '
    '"name"?, "replicas"?, "comment"?}, or a complete predictor {"name": "canary", "traffic": 10, '
    '"graph": {"name", "implementation", "modelUri"}, ...} (also as {"predictor": {...}, "traffic": 10})'
)
_ISVC_SHAPES = (
    '{"modelUri": "s3://models/iris-xgb", "implementation": "xgboost", "traffic": 10, "replicas"?, "comment"?}, '
    'or a KServe predictor {"model": {"modelFormat": {"name": "xgboost"}, "storageUri": "..."}, '
    '"canaryTrafficPercent": 10} (also as {"predictor": {...}, "traffic": 10})'
)


@dataclass(frozen=True)
class Rollout:
    """What a canary or shadow request asks for, whatever shape it came in."""

    model_uri: str | None = None
    implementation: str | None = None
    predictor: dict[str, Any] | None = None
    """A complete predictor instead of `model_uri`."""
    name: str | None = None
    replicas: int | None = None
    traffic: int | None = None
    """The canary's share in percent; None if not given (`DEFAULT_CANARY_TRAFFIC`)."""
    comment: str | None = None

    @property
    def canary_traffic(self) -> int:
        return DEFAULT_CANARY_TRAFFIC if self.traffic is None else self.traffic


class CommentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {"comment": "promote after a clean week"}})

    comment: str | None = Field(None, description="Version comment recorded with the change.")


class _Short(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    modelUri: str
    implementation: str | None = None
    traffic: int | None = Field(None, ge=0, le=100)
    name: str | None = None
    replicas: int | None = Field(None, ge=1)
    comment: str | None = None


class _Wrapped(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    predictor: dict[str, Any]
    traffic: int | None = Field(None, ge=0, le=100)
    name: str | None = None
    comment: str | None = None


def parse_rollout(kind: str, body: dict[str, Any], *, canary: bool) -> Rollout:
    """The `Rollout` in `body` for a `kind` ("SeldonDeployment" / "InferenceService"); `Unprocessable` otherwise."""
    shapes = _ISVC_SHAPES if kind == "InferenceService" else _SELDON_SHAPES
    try:
        rollout = _read(kind, body, canary)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "body"
        raise _refused(field, _pydantic_message(first), shapes) from exc
    except _Refused as exc:
        raise _refused(exc.field, exc.message, shapes) from exc
    if not canary and rollout.traffic is not None:
        raise _refused("traffic", "a shadow gets a copy of every request, not a share of the traffic", shapes)
    return rollout


class _Refused(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def _refused(field: str, message: str, shapes: str) -> Unprocessable:
    return Unprocessable(
        f"invalid rollout body: {field}: {message}. Send {shapes}",
        code="invalid_rollout",
        details=[{"path": field, "message": message}],
    )


def _pydantic_message(error: Any) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown field"
    if error["type"] == "missing":
        return "required field is missing"
    return str(error["msg"])


def _is_predictor(kind: str, body: dict[str, Any]) -> bool:
    if kind == "InferenceService":
        return any(isinstance(body.get(f), dict) for f in ISVC_FRAMEWORKS) or "containers" in body
    return "graph" in body


def _read(kind: str, body: dict[str, Any], canary: bool) -> Rollout:
    comment = body.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise _Refused("comment", "must be a string")
    if "predictor" in body:
        wrapped = _Wrapped.model_validate(body)
        if not _is_predictor(kind, wrapped.predictor):
            raise _Refused("predictor", f"is not a {kind} predictor")
        inner = _from_predictor(kind, wrapped.predictor, comment)
        traffic = wrapped.traffic if wrapped.traffic is not None else inner.traffic
        return Rollout(predictor=inner.predictor, name=wrapped.name or inner.name, traffic=traffic, comment=comment)
    if _is_predictor(kind, body):
        return _from_predictor(kind, {k: v for k, v in body.items() if k != "comment"}, comment)
    if "modelUri" not in body and not any(k in body for k in ("implementation", "traffic", "replicas")):
        raise _Refused("body", "neither a modelUri nor a predictor")
    short = _Short.model_validate(body)
    if problem := model_uri_problem(short.modelUri):
        raise _Refused("modelUri", problem)
    if short.implementation is not None:
        _check_implementation(kind, short.implementation)
    if kind == "InferenceService" and short.name is not None:
        raise _Refused("name", "an InferenceService canary has no name of its own (KServe has one predictor)")
    return Rollout(short.modelUri, short.implementation, None, short.name, short.replicas, short.traffic, comment)


def _from_predictor(kind: str, predictor: dict[str, Any], comment: str | None) -> Rollout:
    predictor = copy.deepcopy(predictor)
    share_key = "canaryTrafficPercent" if kind == "InferenceService" else "traffic"
    traffic = predictor.pop(share_key, None)
    if kind == "InferenceService" and "traffic" in predictor:
        traffic = predictor.pop("traffic")
    if traffic is not None and (not isinstance(traffic, int) or isinstance(traffic, bool) or not 0 <= traffic <= 100):
        raise _Refused(share_key, f"must be a whole percent between 0 and 100, got {traffic!r}")
    name = predictor.get("name") if kind != "InferenceService" else None
    if name is not None and not isinstance(name, str):
        raise _Refused("name", "must be a string")
    return Rollout(predictor=predictor, name=name, traffic=traffic, comment=comment)


def _check_implementation(kind: str, implementation: str) -> None:
    if kind != "InferenceService":
        if problem := implementation_problem(implementation):
            raise _Refused("implementation", problem)
    elif implementation not in BY_IMPLEMENTATION and implementation.lower() not in BY_MODEL_FORMAT:
        accepted = f"{accepted_model_formats()} (or {', '.join(BY_IMPLEMENTATION)})"
        raise _Refused("implementation", f"{implementation!r} is not a model format Warden serves; use {accepted}")


def kserve_model_format(implementation: str) -> str:
    """KServe's model format for a Seldon server name or a format name (checked by `parse_rollout`)."""
    server = BY_IMPLEMENTATION.get(implementation)
    return server.model_format if server else implementation.lower()
