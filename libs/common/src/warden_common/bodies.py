"""Request bodies within `BodyLimits`: size (413), JSON/YAML nesting depth and items per array/object (422).

The size limit is `BodyLimitMiddleware` (installed on every service app by `create_service_app`): reading a body
over the limit fails at once when `Content-Length` declares it, else as soon as the bytes read pass it.
(FastAPI's own `max_body_size` answers a plain-text 413 whenever `Content-Length` is over the limit, replacing
whatever the app sent, so Warden's error shape could not be kept with it.) Depth and items are checked
on the raw JSON bytes before parsing (`check_json_shape`), so a hostile body never reaches a recursive parser:
strings are cut out, brackets kept, and innermost pairs removed level by level, all in C (bytes.translate and
`re`), which costs a fraction of the parse itself. YAML is checked after parsing (`check_value_shape`), with a
bound on the values visited so anchors and aliases cannot multiply the walk.

Routes that parse a body use `read_json` / `parse_json` (or `read_body` + `check_json_shape` when they keep the
bytes); routes whose body FastAPI parses into a model take the `json_shape_checked` dependency.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from fastapi import HTTPException, Request
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from warden_common.errors import BadRequest, PayloadTooLarge, Unprocessable
from warden_common.settings import BodyLimits

_STRINGS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
# Both bracket kinds become one kind (so an emptied `{[]}` is seen as a pair at once); only brackets and commas stay.
_BRACKETS = bytes.maketrans(b"[{]}", b"(())")
_NOT_STRUCTURE = bytes(sorted(set(range(256)) - set(b"[]{},")))
_INNERMOST = re.compile(rb"\(,*\)")


class BodyTooDeep(Unprocessable):
    code = "body_too_deep"


class BodyTooManyItems(Unprocessable):
    code = "body_too_many_items"


class BodyOverLimit(HTTPException):
    """Raised from `receive` once the body is over the limit. A FastAPI `HTTPException`, because FastAPI re-raises
    those from its own body parsing (anything else becomes a generic 400); the error handler renders it as 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=PayloadTooLarge.over_limit(limit).message)
        self.limit = limit


class BodyLimitMiddleware:
    """413 for a request body over `max_bytes`, raised where the body is read: on the first read when
    `Content-Length` says so, else once the bytes read pass the limit. (Raised, not answered here, so the route's
    own error handling applies: the data plane's reply keeps its `Seldon-Puid`.)"""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        declared = _content_length(scope)
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if declared is not None and declared > limit:
                raise BodyOverLimit(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyOverLimit(limit)
            return message

        await self.app(scope, limited_receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


def limits_of(request: Request) -> BodyLimits:
    """The limits of the app serving `request` (its settings' `body_limits`)."""
    limits: BodyLimits = request.app.state.settings.body_limits
    return limits


def is_json_media_type(content_type: str | None) -> bool:
    """`application/json`, `text/json` or any `+json` type (CloudEvents' structured mode included)."""
    media = (content_type or "").split(";")[0].strip().lower()
    return media in ("application/json", "text/json") or media.endswith("+json")


async def read_body(request: Request) -> bytes:
    """The whole body; `PayloadTooLarge` (413) naming the limit when it is over `max_bytes`."""
    try:
        return await request.body()
    except StarletteHTTPException as exc:
        if exc.status_code == 413:
            raise PayloadTooLarge.over_limit(getattr(exc, "limit", None)) from None
        raise


@lru_cache(maxsize=8)
def _long_run(max_items: int) -> re.Pattern[bytes]:
    # max_items commas side by side in one container: more than max_items items.
    return re.compile(b",{%d}" % max_items)


def check_json_shape(raw: bytes, limits: BodyLimits, *, what: str = "the request body") -> None:
    """`BodyTooDeep` / `BodyTooManyItems` (422) when the JSON in `raw` is over the limits.

    Malformed JSON is left to the parser to report, except that it is never parsed deeper than the limit.
    """
    if len(raw) < 2 * min(limits.max_depth, limits.max_items):
        return  # too short to hold that many levels (2 bytes each) or items (a value and a comma each)
    structure = _STRINGS.sub(b"", raw).translate(_BRACKETS, _NOT_STRUCTURE)
    too_many = _long_run(limits.max_items)
    depth = 0
    while structure:
        # Removing a container's children leaves only its own commas side by side, so a run of commas longer
        # than allowed belongs to one array or object.
        if too_many.search(structure):
            raise BodyTooManyItems(
                f"{what} has an array or object with more than {limits.max_items} items",
                details={"limit": "max_items", "max": limits.max_items},
            )
        inner = _INNERMOST.sub(b"", structure)
        if inner == structure:
            return  # unbalanced: not JSON, which the parser will say
        depth += 1
        if depth > limits.max_depth:
            raise _too_deep(what, limits)
        structure = inner


def check_value_shape(value: Any, limits: BodyLimits, *, what: str = "the request body") -> None:
    """Like `check_json_shape`, on a parsed value (YAML); at most `max_bytes` values are visited."""
    level, depth, budget = [value], 0, limits.max_bytes
    while level:
        containers = [v for v in level if isinstance(v, dict | list)]
        if not containers:
            return
        depth += 1
        if depth > limits.max_depth:
            raise _too_deep(what, limits)
        level = []
        for container in containers:
            if len(container) > limits.max_items:
                raise BodyTooManyItems(
                    f"{what} has an array or object with more than {limits.max_items} items",
                    details={"limit": "max_items", "max": limits.max_items},
                )
            level.extend(container.values() if isinstance(container, dict) else container)
        budget -= len(level)
        if budget < 0:
            # Only aliases can make more values than bytes: each value takes at least one byte of the body.
            raise BodyTooManyItems(
                f"{what} expands to more than {limits.max_bytes} values (YAML aliases?)",
                details={"limit": "max_bytes", "max": limits.max_bytes},
            )


def _too_deep(what: str, limits: BodyLimits) -> BodyTooDeep:
    return BodyTooDeep(
        f"{what} nests arrays/objects deeper than {limits.max_depth} levels",
        details={"limit": "max_depth", "max": limits.max_depth},
    )


def parse_json(raw: bytes, limits: BodyLimits, *, what: str = "the request body") -> Any:
    """The JSON value in `raw` after `check_json_shape`; `BadRequest` when empty or not JSON."""
    if not raw.strip():
        raise BadRequest(f"{what} is empty; send a JSON document")
    check_json_shape(raw, limits, what=what)
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadRequest(f"{what} is not valid JSON: {exc}") from None


async def read_json(request: Request, *, what: str = "the request body") -> Any:
    """`read_body` + `parse_json` with the app's limits."""
    return parse_json(await read_body(request), limits_of(request), what=what)


async def json_shape_checked(request: Request) -> None:
    """Dependency for routes whose body FastAPI parses into a model: a JSON body beyond the limits is a 422 before
    the route runs. (FastAPI parses such a body before any dependency; one too deep for Python's parser is
    turned into the same 422 by the error handler.)"""
    raw = await read_body(request)
    if raw and is_json_media_type(request.headers.get("content-type")):
        check_json_shape(raw, limits_of(request))
