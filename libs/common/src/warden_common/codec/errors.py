"""Codec errors name what is wrong with an incoming event, so callers can answer 4xx or dead-letter it."""

from __future__ import annotations

from warden_common.errors import BadRequest


class CodecError(BadRequest):
    """An incoming message is not a valid CloudEvent (or its payload is not what its type requires)."""

    code = "invalid_cloudevent"
