"""Opaque page tokens: the sort key of the last hit of a page (keyset paging, no deep-offset cost)."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from warden_common.errors import BadRequest


def encode_token(sort_key: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(sort_key, separators=(",", ":")).encode()).decode().rstrip("=")


def bad_token(token: str) -> BadRequest:
    return BadRequest(f"pageToken {token!r} is not a token this API returned", details={"param": "pageToken"})


def decode_token(token: str) -> list[Any]:
    """The sort key in `token`; `BadRequest` naming the parameter when it was not made by `encode_token`."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        value = json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise bad_token(token) from exc
    if not isinstance(value, list):
        raise bad_token(token)
    return value
