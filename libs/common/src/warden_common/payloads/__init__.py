"""Payload parsing: Seldon, V2 and TensorFlow bodies -> one `ParsedInstance` per row of the batch."""

from __future__ import annotations

import base64
from typing import Any

from warden_common.events.protocols import (
    V1_REQUEST,
    V1_RESPONSE,
    V2_REQUEST,
    V2_RESPONSE,
    request_protocol,
    response_protocol,
)
from warden_common.payloads.model import DataType, ParsedInstance, ParsedPayload
from warden_common.payloads.seldon import PayloadShapeError, parse_seldon
from warden_common.payloads.tensorflow import parse_columnar, parse_rows
from warden_common.payloads.v2 import parse_v2

__all__ = ["DataType", "ParsedInstance", "ParsedPayload", "PayloadShapeError", "parse_request", "parse_response",
           "unparsed"]  # fmt: skip


def parse_request(data: Any) -> ParsedPayload:
    """A request body in any of the three protocols (`PayloadShapeError` says what does not fit)."""
    if not isinstance(data, dict):
        return _not_an_object(data)
    tag = request_protocol(data)
    if tag == V2_REQUEST:
        return parse_v2(data["inputs"], what="input")
    if tag == V1_REQUEST:
        return parse_rows(data["instances"]) if data.get("instances") is not None else parse_columnar(data["inputs"])
    return parse_seldon(data)


def parse_response(data: Any) -> ParsedPayload:
    if not isinstance(data, dict):
        return _not_an_object(data)
    tag = response_protocol(data)
    if tag == V2_RESPONSE:
        return parse_v2(data.get("outputs") or [], what="output")
    if tag == V1_RESPONSE:
        if data.get("predictions") is not None:
            return parse_rows(data["predictions"])
        return parse_columnar(data["outputs"])
    return parse_seldon(data)


def unparsed(body: bytes) -> ParsedPayload:
    """A body we cannot read (gRPC protobuf, images): one instance holding it as base64, kept rather than lost."""
    encoded = base64.b64encode(body).decode()
    return ParsedPayload("unparsed", [ParsedInstance(encoded, "binary")])


def _not_an_object(data: Any) -> ParsedPayload:
    if isinstance(data, list):
        return parse_rows(data)
    if isinstance(data, bytes | bytearray):
        return unparsed(bytes(data))
    return ParsedPayload("unparsed", [ParsedInstance(data, "json")])
