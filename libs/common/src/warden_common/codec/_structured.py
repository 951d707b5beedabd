"""Structured content mode (the whole event is one `application/cloudevents+json` document), any transport."""

from __future__ import annotations

import base64
import binascii

from cloudevents.core.base import BaseCloudEvent
from cloudevents.core.exceptions import BaseCloudEventException
from cloudevents.core.v1.event import CloudEvent

from warden_common.codec._attributes import check_required, check_time, checked_factory, require_v1
from warden_common.codec._format import (
    STRUCTURED_JSON_CONTENT_TYPE,
    STRUCTURED_PREFIX,
    StrictJSONFormat,
    media_type,
    parse_json,
)
from warden_common.codec.errors import CodecError, InvalidAttributeError, UnsupportedContentTypeError

FORMAT = StrictJSONFormat()


def is_structured(content_type: str | None) -> bool:
    """Structured mode is announced by an `application/cloudevents...` content type, whatever other headers say."""
    return media_type(content_type).startswith(STRUCTURED_PREFIX)


def read_structured(content_type: str | None, body: bytes, *, where: str) -> CloudEvent:
    """Decode a structured-mode body; only the JSON event format of single events is supported."""
    kind = media_type(content_type)
    if kind != STRUCTURED_JSON_CONTENT_TYPE:
        raise UnsupportedContentTypeError(
            f"{where}: structured content type {kind!r} is not supported; "
            f"only single events in {STRUCTURED_JSON_CONTENT_TYPE!r} are accepted"
        )
    document = parse_json(body, what=f"{where} (structured mode)")
    if not isinstance(document, dict):
        raise CodecError(f"{where}: a structured CloudEvent must be a JSON object, got {type(document).__name__}")
    check_required(document, where=where)
    check_time(document.get("time"), where=where)
    if "data" in document and "data_base64" in document:
        raise CodecError(f"{where}: 'data' and 'data_base64' are mutually exclusive")
    encoded = document.get("data_base64")
    if encoded is not None:
        _check_base64(encoded, where=where)
    try:
        event = FORMAT.read(checked_factory(where), body)
    except CodecError:
        raise
    except (BaseCloudEventException, ValueError, TypeError) as exc:
        raise CodecError(f"{where}: not a valid CloudEvent: {exc}") from exc
    return require_v1(event, where=where)


def write_structured(event: BaseCloudEvent) -> bytes:
    """The whole event as one JSON document (binary data goes to `data_base64`)."""
    return FORMAT.write(event)


def _check_base64(encoded: object, *, where: str) -> None:
    if not isinstance(encoded, str):
        raise InvalidAttributeError({"data_base64": "must be a base64 string"}, where=where)
    try:
        base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidAttributeError({"data_base64": f"not valid base64 ({exc})"}, where=where) from exc
