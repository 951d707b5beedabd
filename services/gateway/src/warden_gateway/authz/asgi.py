"""Small ASGI helpers of the auth middleware: answer with an error, buffer and replay a request body, rewrite a
JSON response (list filtering)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
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


def filtering_send(send: Send, keep: Callable[[Any], Any]) -> Send:
    """Buffers a JSON response and sends `keep(parsed)` instead (non-2xx and non-JSON answers pass unchanged)."""
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
            with contextlib.suppress(ValueError):  # not JSON after all: pass it on unchanged
                body = json.dumps(keep(json.loads(body))).encode()
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        await send({**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    return filtered
