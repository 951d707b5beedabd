"""Small ASGI helpers of the auth middleware: answer with an error, buffer and replay a request body, rewrite a
JSON response (list filtering)."""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.types import Message, Receive, Send


async def respond(send: Send, status: int, reason: str, message: str, headers: list[tuple[bytes, bytes]]) -> None:
    body = json.dumps({"code": status, "reason": reason, "message": message}).encode()
    start_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *headers]
    await send({"type": "http.response.start", "status": status, "headers": start_headers})
    await send({"type": "http.response.body", "body": body})


async def read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if message["type"] != "http.request" or not message.get("more_body", False):
            return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


_NOT_JSON = object()


def filtering_send(send: Send, keep: Callable[[Any], Any | Awaitable[Any]]) -> Send:
    """Buffers a JSON response and sends `keep(parsed)` (awaited if `keep` is async) instead (non-2xx and non-JSON
    answers pass unchanged)."""
    start: Message = {}
    chunks: list[bytes] = []

    async def filtered(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            start = message
            return
        if message["type"] != "http.response.body":
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        body = b"".join(chunks)
        if 200 <= start["status"] < 300:
            try:
                parsed = json.loads(body)
            except ValueError:  # not JSON after all: pass it on unchanged
                parsed = _NOT_JSON
            if parsed is not _NOT_JSON:
                kept = keep(parsed)
                body = json.dumps(await kept if inspect.isawaitable(kept) else kept).encode()
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        await send({**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    return filtered
