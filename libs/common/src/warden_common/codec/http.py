"""HTTP binding: binary mode (`Ce-*` headers, raw payload) and structured mode, on `cloudevents` 2.x.

Seldon Core executors and KServe loggers POST binary-mode events (protocols.md §1-2); detectors reply
the same way (§5). Structured mode is accepted too, because the CloudEvents spec requires it and some
brokers (Knative) may forward in either mode.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import unquote

from cloudevents.core.bindings import http as ce_http
from cloudevents.core.exceptions import BaseCloudEventException
from cloudevents.core.v1.event import CloudEvent

from warden_common.codec._attributes import check_required, check_time, checked_factory, require_v1
from warden_common.codec._structured import FORMAT, is_structured, read_structured, write_structured
from warden_common.codec.errors import CodecError, PayloadTooLargeError
from warden_common.codec.event import Event

DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024
"""10 MiB: large enough for image batches, small enough that one request cannot exhaust a worker."""

_CE_PREFIX = ce_http.CE_PREFIX
_CONTENT_TYPE = "content-type"


def decode_http(headers: Mapping[str, str], body: bytes, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> CloudEvent:
    """Decode one HTTP request (binary or structured mode) into a CloudEvent.

    Header names are case-insensitive. JSON bodies become JSON data; other content types (gRPC
    `application/protobuf`, `application/octet-stream`, ...) are kept as the exact bytes received.
    An event without `time` gets the time of decoding (the library's rule; executors always send one).
    Raises a `CodecError` subclass naming the problem (see `warden_common.codec.errors`).
    """
    if len(body) > max_body_bytes:
        raise PayloadTooLargeError(len(body), max_body_bytes)
    normalized = {name.lower(): value for name, value in headers.items()}
    content_type = normalized.get(_CONTENT_TYPE)
    if is_structured(content_type):
        return read_structured(content_type, bytes(body), where="structured-mode HTTP event")
    return _decode_binary(normalized, bytes(body))


def encode_http_binary(event: Event) -> tuple[dict[str, str], bytes]:
    """Headers (`ce-*` plus `content-type` from `datacontenttype`) and the raw payload body."""
    message = ce_http.to_binary(event, FORMAT)
    return dict(message.headers), message.body


def encode_http_structured(event: Event) -> tuple[dict[str, str], bytes]:
    """`content-type: application/cloudevents+json` and the whole event as the JSON body."""
    return {_CONTENT_TYPE: FORMAT.get_content_type()}, write_structured(event)


def _decode_binary(headers: dict[str, str], body: bytes) -> CloudEvent:
    where = "binary-mode HTTP event"
    attributes = {
        name[len(_CE_PREFIX) :]: unquote(value) for name, value in headers.items() if name.startswith(_CE_PREFIX)
    }
    # Attributes first: a request without Ce-* headers should hear that, not a complaint about its body.
    check_required(attributes, where=where)
    check_time(attributes.get("time"), where=where)
    try:
        event = ce_http.from_binary(ce_http.HTTPMessage(headers=headers, body=body), FORMAT, checked_factory(where))
    except CodecError:
        raise
    except (BaseCloudEventException, ValueError, TypeError) as exc:
        raise CodecError(f"{where}: not a valid CloudEvent: {exc}") from exc
    return require_v1(event, where=where)
