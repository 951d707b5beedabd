"""The gateway forwards the public request-log search paths to this service's `/api/v1alpha1/...` unchanged."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from warden_common.platform import Platform
from warden_common.testing.auth import AUTH_OFF
from warden_gateway.main import create_app
from warden_gateway.settings import GatewaySettings


class ReadyBus:
    async def ready(self) -> bool:
        return True

    async def subscribe(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError


def _echo_logger() -> FastAPI:
    app = FastAPI()

    @app.get("/api/v1alpha1/{path:path}")
    async def echo(request: Request, path: str) -> JSONResponse:
        return JSONResponse({"path": request.url.path, "query": request.url.query})

    return app


@pytest.mark.parametrize(
    ("public", "forwarded"),
    [
        ("/seldon-deploy/api/v1alpha1/requests", "/api/v1alpha1/requests"),
        (
            "/seldon-deploy/api/v1alpha1/namespaces/ns-a/seldondeployments/iris/requests",
            "/api/v1alpha1/namespaces/ns-a/seldondeployments/iris/requests",
        ),
        (
            "/seldon-deploy/api/v1alpha1/namespaces/ns-a/inferenceservices/iris/requests",
            "/api/v1alpha1/namespaces/ns-a/inferenceservices/iris/requests",
        ),
    ],
)
async def test_search_paths_are_forwarded_with_their_query(public: str, forwarded: str) -> None:
    platform = Platform(mode="standalone", bus=ReadyBus(), local_apps={"request-logger": _echo_logger()})  # type: ignore[arg-type]
    gateway = create_app(GatewaySettings(auth=AUTH_OFF), platform)
    transport = httpx.ASGITransport(app=gateway)
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
        # Only the routing is exercised: no lifespan, so upstreams are opened by hand.
        from warden_common.upstreams import open_upstreams

        async with open_upstreams(GatewaySettings(auth=AUTH_OFF), platform) as upstreams:
            gateway.state.upstreams = upstreams
            answer = await client.get(public, params={"endpoint": "canary", "feature": "Age:gt:30"})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"path": forwarded, "query": "endpoint=canary&feature=Age%3Agt%3A30"}
