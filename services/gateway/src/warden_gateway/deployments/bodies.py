"""Request bodies in JSON or YAML (`kubectl`-style manifests), parsed into plain Python values within the app's
`BodyLimits` (size, nesting depth, items per array/object: `warden_common.bodies`)."""

from __future__ import annotations

from typing import Any

import yaml
from fastapi import Request

from warden_common import bodies
from warden_common.errors import BadRequest, UnsupportedMediaType
from warden_common.settings import BodyLimits

YAML_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"})
JSON_TYPES = frozenset({"application/json", "text/json", ""})


def parse_body(raw: bytes, content_type: str, limits: BodyLimits) -> Any:
    """The value in `raw`; `BadRequest` naming the line/column of a syntax error, 422 beyond the limits."""
    media = content_type.split(";")[0].strip().lower()
    if not raw.strip():
        raise BadRequest("the body is empty; send the object as JSON or YAML")
    if media in YAML_TYPES:
        try:
            documents = [doc for doc in yaml.safe_load_all(raw) if doc is not None]
        except yaml.YAMLError as exc:
            raise BadRequest(f"the body is not valid YAML: {exc}") from exc
        except RecursionError:  # PyYAML builds nested values recursively; no depth limit of its own
            raise bodies.BodyTooDeep(f"the body nests deeper than {limits.max_depth} levels") from None
        if len(documents) != 1:
            raise BadRequest(f"the YAML body must hold exactly one document, found {len(documents)}")
        bodies.check_value_shape(documents[0], limits)
        return documents[0]
    if media in JSON_TYPES or media.endswith("+json"):
        return bodies.parse_json(raw, limits)
    raise UnsupportedMediaType(f"content type {media!r} is not accepted; use application/json or application/yaml")


async def read_body(request: Request) -> Any:
    raw = await bodies.read_body(request)
    return parse_body(raw, request.headers.get("content-type", ""), bodies.limits_of(request))
