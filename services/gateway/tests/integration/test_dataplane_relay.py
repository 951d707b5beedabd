"""Distributed mode: the gateway relays `/seldon/...` to the serving service's URL over real loopback HTTP.

The serving service here is a stand-in (uvicorn on a free port) that records what reached it; the end-to-end test
with the real services is tests/e2e/test_dataplane_distributed.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from warden_common.platform import Platform
from warden_common.settings import BodyLimits
from warden_common.testing.auth import AUTH_OFF
from warden_common.testing.processes import free_port
from warden_gateway.dataplane import checked_path
from warden_gateway.main import create_app
from warden_gateway.settings import GatewaySettings

pytestmark = pytest.mark.integration


class ReadyBus:
    async def ready(self) -> bool:
        return True


def serving_stub(seen: list[dict[str, Any]]) -> FastAPI:
    app = FastAPI()

    @app.api_route("/seldon/{namespace}/{name}/{rest:path}", methods=["GET", "POST"])
    async def data_plane(request: Request, rest: str) -> Response:
        body = await request.body()
        seen.append({"method": request.method, "path": request.url.path, "query": request.url.query,
                     "headers": dict(request.headers), "body": body})  # fmt: skip
        if rest == "v2/health/ready":
            return JSONResponse({"ready": False}, status_code=503)
        puid = request.headers.get("seldon-puid", "made-by-serving")
        return Response(b'{"answer":' + body + b"}", 200, media_type="application/json", headers={"Seldon-Puid": puid})

    return app


@asynccontextmanager
async def _serve(app: FastAPI, port: int) -> AsyncIterator[None]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False))
    task = asyncio.create_task(server.serve())
    while not server.started:  # uvicorn exposes no event for this
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield
    finally:
        server.should_exit = True
        await task


@pytest.fixture
def seen() -> list[dict[str, Any]]:
    """What reached the stand-in serving service."""
    return []


@pytest.fixture
def serving_port() -> int:
    return free_port()


@pytest.fixture
async def gateway(seen: list[dict[str, Any]], serving_port: int) -> AsyncIterator[httpx.AsyncClient]:
    settings = GatewaySettings(
        auth=AUTH_OFF, upstreams={"serving": f"http://127.0.0.1:{serving_port}"}, body_limits=BodyLimits(max_bytes=2048)
    )
    app = create_app(settings, Platform(mode="distributed", bus=ReadyBus()))  # type: ignore[arg-type]
    async with _serve(serving_stub(seen), serving_port), app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://warden.test") as client:
            yield client


async def test_a_prediction_is_relayed_with_status_body_and_seldon_puid(
    gateway: httpx.AsyncClient, seen: list[dict[str, Any]]
) -> None:
    answer = await gateway.post(
        "/seldon/prod/iris/api/v1.0/predictions?ignored=1",
        content=b'{"data":{"ndarray":[[1,2,3,4]]}}',
        headers={"Content-Type": "application/json", "Seldon-Puid": "p-42", "Seldon-Skip-Logging": "true",
                 "Authorization": "Bearer secret", "Cookie": "s=1"},
    )  # fmt: skip
    assert answer.status_code == 200
    assert answer.content == b'{"answer":{"data":{"ndarray":[[1,2,3,4]]}}}'
    assert answer.headers["seldon-puid"] == "p-42"
    assert answer.headers["content-type"] == "application/json"
    [call] = seen
    assert (call["method"], call["path"], call["query"]) == ("POST", "/seldon/prod/iris/api/v1.0/predictions", "")
    assert call["body"] == b'{"data":{"ndarray":[[1,2,3,4]]}}'
    assert call["headers"]["seldon-puid"] == "p-42" and call["headers"]["seldon-skip-logging"] == "true"
    assert "authorization" not in call["headers"] and "cookie" not in call["headers"]  # credentials stay here


async def test_every_data_plane_path_and_method_is_relayed_as_is(
    gateway: httpx.AsyncClient, seen: list[dict[str, Any]]
) -> None:
    tf = await gateway.post("/seldon/prod/iris/v1/models/classifier:predict", json={"instances": [[1]]})
    assert tf.status_code == 200 and tf.headers["seldon-puid"] == "made-by-serving"
    versioned = await gateway.post("/seldon/prod/iris/v2/models/classifier/versions/1.0/infer", json={})
    assert versioned.status_code == 200
    ready = await gateway.get("/seldon/prod/iris/v2/health/ready")
    assert (ready.status_code, ready.json()) == (503, {"ready": False})  # the serving service's answer, relayed
    assert [(c["method"], c["path"]) for c in seen] == [
        ("POST", "/seldon/prod/iris/v1/models/classifier:predict"),
        ("POST", "/seldon/prod/iris/v2/models/classifier/versions/1.0/infer"),
        ("GET", "/seldon/prod/iris/v2/health/ready"),
    ]
    assert (await gateway.put("/seldon/prod/iris/api/v1.0/predictions", json={})).status_code == 405


async def test_invalid_urls_are_a_422_naming_the_part_and_never_reach_serving(
    gateway: httpx.AsyncClient, seen: list[dict[str, Any]]
) -> None:
    for url, part in [
        ("/seldon/Prod/iris/api/v1.0/predictions", "path.namespace: must consist of"),
        ("/seldon/prod/iris_1/api/v1.0/predictions", "path.name: must consist of"),
        ("/seldon/prod/iris/v2/models/a%20b/infer", "segment 'a b'"),
        ("/seldon/prod/iris/v2/models//infer", "segment ''"),
    ]:
        answer = await gateway.post(url, json={}, headers={"Seldon-Puid": "p-1"})
        assert answer.status_code == 422, url
        assert part in answer.json()["message"], answer.json()
        assert answer.headers["seldon-puid"] == "p-1"
    assert seen == []


def test_dot_segments_cannot_climb_out_of_the_deployment() -> None:
    assert checked_path("prod", "iris", "api/v1.0/predictions") == "/seldon/prod/iris/api/v1.0/predictions"
    for rest in ("../other/api/v1.0/predictions", "v2/./health/ready", "v2/health\r\nX: 1"):
        with pytest.raises(Exception, match="segment"):
            checked_path("prod", "iris", rest)


async def test_bodies_over_the_limit_are_a_413_before_serving_is_called(
    gateway: httpx.AsyncClient, seen: list[dict[str, Any]]
) -> None:
    answer = await gateway.post("/seldon/prod/iris/api/v1.0/predictions", content=b"x" * 4096)
    assert answer.status_code == 413 and "limit of 2048 bytes" in answer.json()["message"]
    assert answer.headers["seldon-puid"]  # a fresh one: errors are correlated like the data plane's own

    async def streamed() -> AsyncIterator[bytes]:  # no Content-Length: the limit is checked while reading
        for _ in range(4):
            yield b"y" * 1024

    chunked = await gateway.post("/seldon/prod/iris/api/v1.0/predictions", content=streamed())
    assert chunked.status_code == 413
    assert seen == []


async def _call_gateway(settings: GatewaySettings, url: str) -> httpx.Response:
    app = create_app(settings, Platform(mode="distributed", bus=ReadyBus()))  # type: ignore[arg-type]
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://warden.test") as client:
            return await client.post(url, json={"data": {"ndarray": [[1]]}})


async def test_unreachable_or_unconfigured_serving_is_a_clear_503() -> None:
    url = "/seldon/prod/iris/api/v1.0/predictions"
    down = await _call_gateway(
        GatewaySettings(auth=AUTH_OFF, upstreams={"serving": f"http://127.0.0.1:{free_port()}"}), url
    )
    assert down.status_code == 503
    assert down.json()["message"].startswith("the serving service at http://127.0.0.1:")
    assert "cannot be reached" in down.json()["message"]
    unset = await _call_gateway(GatewaySettings(auth=AUTH_OFF), url)
    assert unset.status_code == 503
    assert unset.json()["message"] == "the serving service is not configured: set WARDEN_GATEWAY_UPSTREAMS__SERVING"
