"""The process's ASGI entry time: the outermost stamp is the one kept, so a latency measured from it holds the time
spent in every layer in front of the handler (here a slow one)."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from warden_common.requestmetrics.received import (
    RECEIVED_AT,
    ReceivedAtHttpProtocol,
    ReceivedAtMiddleware,
    received_at,
)
from warden_common.testing.processes import free_port
from warden_common.testing.waiting import eventually


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


async def _slow_first(request: Request) -> JSONResponse:
    if request.query_params.get("n") == "1":
        await asyncio.sleep(0.2)
    return JSONResponse({"waited": time.perf_counter() - received_at(request.scope)})


async def test_the_http_servers_stamp_counts_a_request_queued_in_the_server() -> None:
    """Two requests pipelined on one connection: uvicorn starts the second's app only once the first (200 ms) has
    answered. The client waits those 200 ms for the second answer, and so must the stamp: the middleware alone
    would only see the request once its app starts."""
    app = Starlette(routes=[Route("/x", _slow_first)])
    app.add_middleware(ReceivedAtMiddleware)
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_config=None, lifespan="off", http=ReceivedAtHttpProtocol
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        await eventually(lambda: server.started, "uvicorn started", 10)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /x?n=1 HTTP/1.1\r\nHost: t\r\n\r\nGET /x?n=2 HTTP/1.1\r\nHost: t\r\n\r\n")
        waited = []
        for _ in range(2):
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
            )
            waited.append(json.loads(await reader.readexactly(length))["waited"])
        writer.close()
    finally:
        server.should_exit = True
        await serving
    assert waited[0] >= 0.2 and waited[1] >= 0.15, waited
