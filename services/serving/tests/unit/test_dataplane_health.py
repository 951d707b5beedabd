"""The V2 health and model metadata routes: 200 when true; otherwise a 4xx with the one error body, never a 5xx."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from warden_common.error_responses import document_error_responses
from warden_common.errors import install_error_handlers
from warden_serving.dataplane.api import router

BASE = "/seldon/ns/iris"


class FakeRuntime:
    """Unit-test stand-in for the runtime port: only `route` matters to these routes."""

    def __init__(self) -> None:
        self.routes: dict[str, Any] = {}

    def route(self, namespace: str, name: str) -> Any:
        return self.routes.get(f"{namespace}/{name}")


def _route(*, replica_ready: bool) -> SimpleNamespace:
    endpoint = SimpleNamespace(pick=lambda: "127.0.0.1:9000" if replica_ready else None)
    plan = SimpleNamespace(implementation="SKLEARN_SERVER", model_name="classifier")
    deployment = SimpleNamespace(namespace="ns", name="iris", kind="SeldonDeployment")
    return SimpleNamespace(plan=deployment, live=(SimpleNamespace(plan=plan, endpoint=endpoint),), shadows=())


@pytest.fixture
def app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    document_error_responses(app)
    app.include_router(router)
    app.state.runtime = FakeRuntime()
    return app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield client


READY_PATHS = ["/v2/health/ready", "/v2/models/iris/ready", "/v2/models/iris/versions/1/ready"]


@pytest.mark.parametrize("path", ["/v2/health/live", *READY_PATHS, "/v2/models/iris"])
async def test_unknown_deployment_is_404_with_the_error_body(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(BASE + path)
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == 404 and body["reason"] == "deployment_not_found" and "ns/iris" in body["message"]


@pytest.mark.parametrize("path", READY_PATHS)
async def test_running_without_ready_replica_is_400_not_5xx(app: FastAPI, client: httpx.AsyncClient, path: str) -> None:
    app.state.runtime.routes["ns/iris"] = _route(replica_ready=False)
    response = await client.get(BASE + path)
    assert response.status_code == 400 and response.json()["reason"] == "not_ready"
    assert (await client.get(BASE + "/v2/health/live")).json() == {"live": True}


@pytest.mark.parametrize("path", READY_PATHS)
async def test_ready_replica_is_200(app: FastAPI, client: httpx.AsyncClient, path: str) -> None:
    app.state.runtime.routes["ns/iris"] = _route(replica_ready=True)
    response = await client.get(BASE + path)
    assert response.status_code == 200 and response.json() == {"ready": True}


def test_document_declares_every_path_parameter_and_the_errors(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    for path, item in paths.items():
        for operation in item.values():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == set(re.findall(r"{(\w+)}", path)), path
    ready = paths["/seldon/{namespace}/{name}/v2/models/{model}/versions/{version}/ready"]["get"]["responses"]
    assert {"200", "400", "404", "4XX"} <= set(ready)
    assert ready["404"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorBody"}


@pytest.mark.parametrize("path", ["/v2/models/other/ready", "/v2/models/other/versions/1/ready", "/v2/models/other"])
async def test_a_model_the_deployment_does_not_serve_is_404_naming_those_it_serves(
    client: httpx.AsyncClient, app: FastAPI, path: str
) -> None:
    app.state.runtime.routes["ns/iris"] = _route(replica_ready=True)
    response = await client.get(BASE + path)
    assert response.status_code == 404
    body = response.json()
    assert body["reason"] == "model_not_found"
    assert "'iris', 'classifier'" in body["message"]
