"""The process's ASGI entry time: the outermost stamp is the one kept, so a latency measured from it holds the time
spent in every layer in front of the handler (here a slow one)."""

from __future__ import annotations

import asyncio
import time

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from warden_common.requestmetrics.received import RECEIVED_AT, ReceivedAtMiddleware, received_at


class _Slow:
    """A layer in front of the handler that takes 50 ms (an auth check, say)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await asyncio.sleep(0.05)
        await self.app(scope, receive, send)


async def _handler(request: Request) -> JSONResponse:
    return JSONResponse({"waited": time.perf_counter() - received_at(request.scope)})


async def test_the_outermost_stamp_counts_and_includes_the_layers_in_front() -> None:
    inner = Starlette(routes=[Route("/x", _handler)])
    inner.add_middleware(ReceivedAtMiddleware)  # a mounted service's own stamp: must not replace the root's
    root = Starlette(routes=[Mount("/svc", inner)])
    root.add_middleware(_Slow)
    root.add_middleware(ReceivedAtMiddleware)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=root), base_url="http://t") as client:
        waited = (await client.get("/svc/x")).json()["waited"]
    assert 0.05 <= waited < 5


def test_without_a_stamp_it_is_now() -> None:
    before = time.perf_counter()
    assert before <= received_at({"type": "http"}) <= time.perf_counter()
    assert received_at({"type": "http", RECEIVED_AT: 1.5}) == 1.5
