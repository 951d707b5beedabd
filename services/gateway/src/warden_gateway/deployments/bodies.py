"""Request bodies in JSON or YAML (`kubectl`-style manifests), parsed into plain Python values."""

from __future__ import annotations

import json
from typing import Any

import yaml
from fastapi import Request

from warden_common.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType

MAX_BODY_BYTES = 4 * 1024 * 1024
"""A deployment manifest is a few KB; the limit keeps a runaway upload from being parsed at all."""

YAML_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"})
JSON_TYPES = frozenset({"application/json", "text/json", ""})


def parse_body(raw: bytes, content_type: str) -> Any:
    """The value in `raw`; `BadRequest` naming the line/column of a syntax error."""
    media = content_type.split(";")[0].strip().lower()
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"the body has {len(raw)} bytes; at most {MAX_BODY_BYTES} are accepted")
    if not raw.strip():
        raise BadRequest("the body is empty; send the object as JSON or YAML")
    if media in YAML_TYPES:
        try:
            documents = [doc for doc in yaml.safe_load_all(raw) if doc is not None]
        except yaml.YAMLError as exc:
            raise BadRequest(f"the body is not valid YAML: {exc}") from exc
        if len(documents) != 1:
            raise BadRequest(f"the YAML body must hold exactly one document, found {len(documents)}")
        return documents[0]
    if media in JSON_TYPES or media.endswith("+json"):
        try:
            return json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise BadRequest(f"the body is not valid JSON: {exc}") from exc
    raise UnsupportedMediaType(f"content type {media!r} is not accepted; use application/json or application/yaml")


async def read_body(request: Request) -> Any:
    return parse_body(await request.body(), request.headers.get("content-type", ""))
