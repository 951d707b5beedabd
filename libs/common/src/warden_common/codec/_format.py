"""The JSON event format with strict data handling, shared by the HTTP and Kafka bindings.

The library's `JSONFormat` silently turns an unparseable JSON body into a string and writes JSON
arrays with `str()` (a Python repr). We need the opposite: a body declared as JSON either parses or is
rejected with the line/column where it broke, any JSON value round-trips, and non-JSON bodies (gRPC
`application/protobuf`, `application/octet-stream`, ...) stay exactly the bytes that arrived.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from cloudevents.core.base import BaseCloudEvent
from cloudevents.core.formats.json import JSONFormat

from warden_common.codec._json import NOT_FAST, fast_dumps, fast_loads
from warden_common.codec.errors import CodecError, InvalidJsonError

DEFAULT_DATA_CONTENT_TYPE = "application/json"
STRUCTURED_JSON_CONTENT_TYPE = "application/cloudevents+json"
STRUCTURED_PREFIX = "application/cloudevents"


def media_type(content_type: str | None) -> str:
    """`Application/JSON; charset=utf-8` -> `application/json` (parameters dropped, lower case)."""
    if not content_type:
        return ""
    return content_type.split(";", 1)[0].strip().lower()


@functools.lru_cache(maxsize=256)  # a handful of content types recur on every event; the bound guards odd input
def is_json_content_type(content_type: str | None) -> bool:
    """True for `application/json`, `text/json` and any `+json` suffix type; a missing type means JSON.

    A missing content type is treated as JSON, like the CloudEvents SDKs do; every executor we speak to
    sets one, so this only matters for hand-written requests.
    """
    kind = media_type(content_type) or DEFAULT_DATA_CONTENT_TYPE
    return kind in ("application/json", "text/json") or kind.endswith("+json")


def parse_json(raw: bytes | str, *, what: str) -> Any:
    """Parse JSON text or raise `InvalidJsonError` naming `what` and the line/column of the failure."""
    value = fast_loads(raw)
    if value is not NOT_FAST:
        return value
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes | bytearray) else raw
    except UnicodeDecodeError as exc:
        raise CodecError(f"{what} is not valid UTF-8 JSON: byte {exc.start} cannot be decoded") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidJsonError(what, reason=exc.msg, line=exc.lineno, column=exc.colno, position=exc.pos) from exc
    except RecursionError as exc:
        raise CodecError(f"{what} is nested too deeply to parse") from exc


def dump_json(value: Any) -> bytes:
    """Compact UTF-8 JSON; non-JSON values (NaN, sets, objects) are a programming error, reported as such."""
    fast = fast_dumps(value)
    if fast is not None:
        return fast
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise CodecError(f"event data cannot be written as JSON: {exc}") from exc


class StrictJSONFormat(JSONFormat):
    """`JSONFormat` whose data handling never guesses: JSON is parsed strictly, other bodies stay bytes."""

    def read_data(self, body: bytes, datacontenttype: str | None) -> Any:
        if not body:
            return None
        if is_json_content_type(datacontenttype):
            value = fast_loads(body)  # the common case, without building the error context below
            if value is not NOT_FAST:
                return value
            return parse_json(body, what=f"event data (content type {datacontenttype or DEFAULT_DATA_CONTENT_TYPE!r})")
        return bytes(body)

    def write_data(self, data: Any, datacontenttype: str | None) -> bytes:
        if data is None:
            return b""
        if isinstance(data, bytes | bytearray):
            return bytes(data)
        if is_json_content_type(datacontenttype):
            # Data of a JSON event is the JSON value itself (a str is a JSON string, not pre-encoded text).
            return dump_json(data)
        _require_text_or_bytes(data, datacontenttype)
        return str(data).encode("utf-8")

    def write(self, event: BaseCloudEvent) -> bytes:
        data = event.get_data()
        content_type = event.get_datacontenttype()
        if data is not None and not isinstance(data, bytes | bytearray) and not is_json_content_type(content_type):
            # The library would write `str(dict)` here: a Python repr nobody can read back.
            _require_text_or_bytes(data, content_type)
        return super().write(event)


def _require_text_or_bytes(data: Any, content_type: str | None) -> None:
    if not isinstance(data, str):
        raise CodecError(
            f"event data of type {type(data).__name__} cannot be written with non-JSON "
            f"content type {content_type!r}; pass bytes or str"
        )
