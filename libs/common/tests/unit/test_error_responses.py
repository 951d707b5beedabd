"""The OpenAPI document lists the errors Warden's handlers really send, with the body they really have."""

from __future__ import annotations

from typing import Any

import httpx
import jsonschema
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel

from warden_common.api_docs import ErrorBody
from warden_common.error_responses import add_error_responses, document_error_responses
from warden_common.errors import NotFound, install_error_handlers
from warden_common.observability import health_router


class Item(BaseModel):
    name: str


def _app() -> FastAPI:
    router = APIRouter()

    @router.get("/items/{name}")
    async def get_item(name: str, limit: int = 10) -> Item:
        raise NotFound(f"no item {name!r}")

    @router.post("/items")
    async def create(item: Item) -> Item:
        return item

    app = FastAPI()
    install_error_handlers(app)
    document_error_responses(app)
    app.include_router(router)
    app.include_router(health_router())
    return app


def _json_schema(operation: dict[str, Any], status: str) -> dict[str, Any]:
    schema: dict[str, Any] = operation["responses"][status]["content"]["application/json"]["schema"]
    return schema


def _resolving_validator(document: dict[str, Any], schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator({**schema, "components": document["components"]})


def test_every_operation_documents_4xx_and_422_as_the_error_body() -> None:
    document = _app().openapi()
    ref = {"$ref": "#/components/schemas/ErrorBody"}
    for item in document["paths"].values():
        for operation in item.values():
            assert _json_schema(operation, "4XX") == ref
            if "422" in operation["responses"]:
                assert _json_schema(operation, "422") == ref
    assert "HTTPValidationError" not in document["components"]["schemas"]  # FastAPI's 422 body: never sent


async def test_real_error_answers_match_the_documented_body() -> None:
    app = _app()
    document = app.openapi()
    error_schema = _resolving_validator(document, {"$ref": "#/components/schemas/ErrorBody"})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        not_found = await client.get("/items/x")
        invalid = await client.get("/items/x", params={"limit": "many"})
        bad_body = await client.post("/items", json={"nom": 1})
    assert (not_found.status_code, invalid.status_code, bad_body.status_code) == (404, 422, 422)
    for response in (not_found, invalid, bad_body):
        error_schema.validate(response.json())
        ErrorBody.model_validate(response.json())


def test_health_routes_document_what_they_answer() -> None:
    paths = _app().openapi()["paths"]
    assert set(paths["/metrics"]["get"]["responses"]["200"]["content"]) == {"text/plain"}
    assert {"200", "503"} <= set(paths["/health/ready"]["get"]["responses"])


def test_adding_twice_changes_nothing() -> None:
    document = _app().openapi()
    once = repr(document)
    assert repr(add_error_responses(document)) == once
