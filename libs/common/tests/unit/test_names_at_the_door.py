"""Typed name path parameters: a bad name is a 422 naming the parameter, before any dependency runs; the rule shows
in the OpenAPI document; `Upstreams` never sends a path that would leave its route."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from warden_common.errors import ServiceUnavailable
from warden_common.names import (
    DEPLOYMENT_NAMES,
    InferenceServiceName,
    ModelName,
    NamespaceName,
    SeldonDeploymentName,
    model_name_problem,
    with_param_types,
)
from warden_common.service_app import create_service_app
from warden_common.settings import ServiceSettings
from warden_common.upstreams import Upstreams
from warden_common.urls import UnsafePath

HOSTILE = ["%04", "a%3Fb", "a%23b", "%2E%2E", "a%0Ab", "a%7Fb", "a%5Cb", "a%20b", "A", "-a", "a" * 300]


def _unavailable() -> None:
    raise ServiceUnavailable("the store is away")  # a dependency that would answer 503 if it ran first


def _app() -> FastAPI:
    router = APIRouter()

    @router.get("/namespaces/{namespace}/seldondeployments/{name}")
    async def sdep(
        namespace: NamespaceName, name: SeldonDeploymentName, _: Annotated[None, Depends(_unavailable)]
    ) -> None:
        raise AssertionError("never reached")

    @router.get("/namespaces/{namespace}/inferenceservices/{name}/models/{model}")
    async def isvc(namespace: NamespaceName, name: InferenceServiceName, model: ModelName) -> dict[str, str]:
        return {"namespace": namespace, "name": name, "model": model}

    def built_in_a_loop(kind: str) -> Any:
        async def read(namespace: NamespaceName, name: str) -> dict[str, str]:
            return {"kind": kind, "name": name}

        return with_param_types(read, name=DEPLOYMENT_NAMES[kind])

    router.add_api_route("/loop/{namespace}/isvc/{name}", built_in_a_loop("InferenceService"), methods=["GET"])
    return create_service_app("names", settings=ServiceSettings(), routers=[router])


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_app()), base_url="http://names") as c:
        yield c


@pytest.mark.parametrize("bad", HOSTILE)
async def test_a_bad_name_is_a_422_naming_the_parameter_before_any_dependency(
    client: httpx.AsyncClient, bad: str
) -> None:
    answer = await client.get(f"/namespaces/{bad}/seldondeployments/iris")
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["reason"] == "unprocessable"
    assert body["message"].startswith("invalid request: path.namespace: must ")
    assert [d["loc"] for d in body["details"]] == ["path.namespace"]
    answer = await client.get(f"/namespaces/ok/seldondeployments/{bad}")
    assert answer.status_code == 422 and answer.json()["details"][0]["loc"] == "path.name", answer.text


async def test_the_issue_s_case_and_each_rule(client: httpx.AsyncClient) -> None:
    answer = await client.get("/namespaces/0/inferenceservices/%04/models/m")
    assert answer.json()["message"] == (
        "invalid request: path.name: must consist of lower case letters, digits and '-', and start and end with a "
        "letter or digit"
    )
    starts_with_digit = await client.get("/namespaces/0/inferenceservices/0iris/models/m")
    assert starts_with_digit.json()["message"] == "invalid request: path.name: must start with a lower case letter"
    long = await client.get(f"/namespaces/{'n' * 64}/inferenceservices/iris/models/m")
    assert long.json()["message"] == "invalid request: path.namespace: must be at most 63 characters (has 64)"
    good = await client.get("/namespaces/0/inferenceservices/iris/models/Model_v1.2")
    assert good.status_code == 200 and good.json() == {"namespace": "0", "name": "iris", "model": "Model_v1.2"}
    bad_model = await client.get("/namespaces/0/inferenceservices/iris/models/m%3Apredict")
    assert bad_model.json()["details"][0]["loc"] == "path.model"
    looped = await client.get("/loop/ns/isvc/0iris")
    assert looped.status_code == 422 and looped.json()["details"][0]["loc"] == "path.name"
    assert (await client.get("/loop/ns/isvc/iris")).json() == {"kind": "InferenceService", "name": "iris"}


def test_model_names() -> None:
    for good in ("m", "classifier", "iris-v2", "my_model.onnx", "A1"):
        assert model_name_problem(good) is None
    for bad in ("", ".", "..", "-m", "m_", "a/b", "a:b", "a b", "m" * 64, None):
        assert model_name_problem(bad) is not None


def test_the_rules_show_in_the_openapi_document() -> None:
    operation = _app().openapi()["paths"]["/namespaces/{namespace}/inferenceservices/{name}/models/{model}"]["get"]
    schemas = {p["name"]: p["schema"] for p in operation["parameters"]}
    assert schemas["namespace"]["pattern"] == "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
    assert schemas["name"]["pattern"] == "^[a-z]([-a-z0-9]*[a-z0-9])?$"
    assert all(schema["maxLength"] == 63 for schema in schemas.values())
    assert "DNS-1035" in schemas["name"]["description"]


def _recording_upstream() -> tuple[FastAPI, list[str]]:
    seen: list[str] = []
    app = FastAPI()

    @app.api_route("/{path:path}", methods=["GET", "POST"])
    async def record(request: Request, path: str) -> JSONResponse:
        seen.append(request.scope["raw_path"].decode())
        return JSONResponse({"path": path})

    return app, seen


async def _forward(upstreams: Upstreams, path: str) -> Any:
    app = FastAPI()

    @app.get("/")
    async def entry(request: Request) -> Any:
        return await upstreams.forward(request, "serving", path)

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://caller") as client:
        return await client.get("/")


@pytest.mark.parametrize("path", ["/api/x?view=processes", "/api/%04/../admin", "/api/a#b", "/api/\x04", "//host/x"])
async def test_upstreams_refuse_a_path_that_leaves_its_route_and_send_nothing(path: str) -> None:
    upstream, seen = _recording_upstream()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=upstream), base_url="http://serving") as client:
        upstreams = Upstreams({"serving": client})
        with pytest.raises(UnsafePath):
            await upstreams.send("serving", "GET", path)
        with pytest.raises(UnsafePath):
            await _forward(upstreams, path)
        ok = await upstreams.send("serving", "GET", "/api/a%3Fb%04")
    assert ok.status_code == 200 and ok.json() == {"path": "api/a?b\x04"}  # one segment, decoded by the server
    assert seen == ["/api/a%3Fb%04"]
