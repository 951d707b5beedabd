"""The gateway forwards the parts of the public API other services own, unchanged, in-process or over HTTP."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from warden_common.platform import Platform
from warden_common.testing.auth import AUTH_OFF
from warden_gateway.main import create_app
from warden_gateway.settings import GatewaySettings


class ReadyBus:
    async def ready(self) -> bool:
        return True


def _echo_service() -> FastAPI:
    app = FastAPI()

    @app.api_route("/api/v1alpha1/{path:path}", methods=["GET", "POST", "PUT", "DELETE"])
    async def echo(request: Request, path: str) -> JSONResponse:
        body: dict[str, Any] = {
            "method": request.method,
            "path": request.url.path,
            "query": request.url.query,
            "body": (await request.body()).decode(),
            "auth": request.headers.get("authorization"),
        }
        return JSONResponse(body, status_code=201 if request.method == "POST" else 200, headers={"x-owner": "meta"})

    return app


async def _call(app: FastAPI, method: str, url: str, **kwargs: Any) -> httpx.Response:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            return await client.request(method, url, **kwargs)


def _gateway(local_apps: dict[str, Any]) -> FastAPI:
    platform = Platform(mode="standalone", bus=ReadyBus(), local_apps=local_apps)  # type: ignore[arg-type]
    app: FastAPI = create_app(GatewaySettings(auth=AUTH_OFF), platform)
    return app


async def test_forwards_method_path_query_body_and_headers() -> None:
    gateway = _gateway({"metadata": _echo_service()})
    answer = await _call(
        gateway,
        "POST",
        "/seldon-deploy/api/v1alpha1/model/metadata?URI=gs%3A%2F%2Fm&pageSize=2",
        content=b'{"name": "iris"}',
        headers={"Authorization": "Bearer t"},
    )
    assert answer.status_code == 201
    assert answer.headers["x-owner"] == "meta"
    assert answer.json() == {
        "method": "POST",
        "path": "/api/v1alpha1/model/metadata",
        "query": "URI=gs%3A%2F%2Fm&pageSize=2",
        "body": '{"name": "iris"}',
        "auth": "Bearer t",
    }
    runtime = await _call(gateway, "GET", "/seldon-deploy/api/v1alpha1/model/metadata/runtime")
    assert runtime.json()["path"] == "/api/v1alpha1/model/metadata/runtime"


async def test_unconfigured_service_is_a_clear_503() -> None:
    answer = await _call(_gateway({}), "GET", "/seldon-deploy/api/v1alpha1/model/metadata")
    assert answer.status_code == 503
    assert "WARDEN_GATEWAY_UPSTREAMS__METADATA" in answer.json()["message"]


async def test_unreachable_service_is_a_clear_503() -> None:
    settings = GatewaySettings(auth=AUTH_OFF, upstreams={"metadata": "http://127.0.0.1:9"})
    gateway = create_app(settings, Platform(mode="distributed", bus=ReadyBus()))  # type: ignore[arg-type]
    answer = await _call(gateway, "GET", "/seldon-deploy/api/v1alpha1/model/metadata")
    assert answer.status_code == 503
    assert answer.json()["message"].startswith("the metadata service cannot be reached")
