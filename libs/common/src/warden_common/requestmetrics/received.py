"""When a request reached the app: stamped on the ASGI scope by the outermost middleware of the process.

The data plane's latency histogram starts its clock here rather than in its handler, so what it reports includes
what a client also waits for inside the server - the auth check in front of the data plane, routing, reading the
body - and a load tester's p99 and request monitoring's can agree. Only the first stamp counts: the HTTP server's
(`ReceivedAtHttpProtocol`, as soon as the request's head is parsed: the wait for a turn on a busy event loop, or
behind a pipelined request, before the app is called is counted too, as the client waits for it), else the
outermost middleware's (in standalone the root app's, in front of every mounted service).
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

RECEIVED_AT = "warden.received_at"
"""Scope key: `time.perf_counter()` when the request reached the process (its head parsed, or its app entered)."""


class ReceivedAtHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol (what `uvicorn[standard]` runs by default), stamping each request once its head
    is parsed (not when its first byte comes: a client trickling its headers is not the server being slow); pass it
    as uvicorn's `http=`. uvicorn is pinned: the scope exists from `on_message_begin`, the app's task is started
    (or queued behind a pipelined request) by `on_headers_complete`."""

    def on_headers_complete(self) -> None:
        self.scope[RECEIVED_AT] = time.perf_counter()  # type: ignore[literal-required]
        super().on_headers_complete()


class ReceivedAtMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope.setdefault(RECEIVED_AT, time.perf_counter())
        await self.app(scope, receive, send)


def received_at(scope: Scope) -> float:
    """The stamp, or now when no middleware stamped the request (an app built without it, e.g. in a unit test)."""
    stamp = scope.get(RECEIVED_AT)
    return stamp if isinstance(stamp, float) else time.perf_counter()
