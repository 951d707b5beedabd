"""`{base}/resources/logs` relayed to the serving service as a stream: with `follow=true` its answer never ends
on its own, so it must reach the client chunk by chunk, never read whole (`Upstreams.forward` reads answers whole).

Standalone: the serving app is in this process, and httpx's ASGI transport also collects the whole body before
answering; the request is handed to the serving app directly instead (its scope, `receive` and `send`), so chunks
and the client's disconnect pass straight through. Distributed: an httpx stream with no read timeout (a quiet
process writes nothing for minutes), relayed with `StreamingResponse` and closed when the client goes away.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx
from fastapi import Request, Response
from fastapi.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from warden_common.errors import ServiceUnavailable
from warden_common.upstreams import Upstreams
from warden_common.urls import check_path

# What the client may send on (content negotiation, request ids); never cookies. Authorization is the gateway's.
_REQUEST_HEADERS = ("accept", "user-agent", "x-request-id")
_RELAYED_HEADERS = ("content-type", "cache-control", "x-content-type-options", "x-accel-buffering")


class _InProcess(Response):
    """Runs `app` (the serving service, co-located) on this very request, at `path`."""

    def __init__(self, app: Any, path: str, query: bytes) -> None:
        super().__init__()
        self._app, self._path, self._query = app, path, query

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        inner = {**scope, "path": self._path, "raw_path": self._path.encode(), "query_string": self._query,
                 "root_path": "", "path_params": {}}  # fmt: skip
        for key in ("route", "endpoint", "router"):
            inner.pop(key, None)
        await self._app(inner, receive, send)


async def relay_logs(request: Request, service: str, path: str) -> Response:
    check_path(path)  # a path that would leave its route is refused (400) before anything is sent
    local: Mapping[str, Any] = getattr(request.app.state, "local_apps", {}) or {}
    if service in local:
        return _InProcess(local[service], path, request.url.query.encode())
    upstreams: Upstreams = request.app.state.upstreams
    client = upstreams.client(service)
    headers = {k: v for k, v in request.headers.items() if k.lower() in _REQUEST_HEADERS}
    timeout = httpx.Timeout(client.timeout.connect, read=None)
    outgoing = client.build_request("GET", path, params=request.url.query, headers=headers, timeout=timeout)
    try:
        answer = await client.send(outgoing, stream=True)
    except httpx.TransportError as exc:
        raise ServiceUnavailable(f"the {service} service cannot be reached: {exc!r}") from exc

    async def chunks() -> AsyncIterator[bytes]:
        try:
            async for chunk in answer.aiter_raw():
                yield chunk
        finally:  # the end of the stream, or the client went away (cancelled): the upstream connection goes too
            await answer.aclose()

    relayed = {k: v for k, v in answer.headers.items() if k.lower() in _RELAYED_HEADERS}
    return StreamingResponse(chunks(), status_code=answer.status_code, headers=relayed)
