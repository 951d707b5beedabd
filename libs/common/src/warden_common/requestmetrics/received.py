"""When a request reached the app: stamped on the ASGI scope by the outermost middleware of the process.

The data plane's latency histogram starts its clock here rather than in its handler, so what it reports includes
what a client also waits for inside the server - the auth check in front of the data plane, routing, reading the
body - and a load tester's p99 and request monitoring's can agree. Only the first (outermost) stamp counts: in
standalone the root app's, in front of every mounted service.
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Receive, Scope, Send

RECEIVED_AT = "warden.received_at"
"""Scope key: `time.perf_counter()` when the request entered the process's ASGI app."""


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
