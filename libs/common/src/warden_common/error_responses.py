"""The error responses of every operation, written into the OpenAPI document from the one error shape.

`install_error_handlers` renders every 4xx as `{"code", "reason", "message", "details"?}`, whichever route
raised it; FastAPI, though, documents only the success response and its own 422 body (`{"detail": [...]}`,
which Warden never sends). So the document would call every 400, 404 or 409 undocumented and describe 422
wrongly. `add_error_responses` fixes the document after FastAPI builds it: each operation gets `4XX` with
the error body, and its 422 (if FastAPI listed one) is given that body too.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI

from warden_common.api_docs import ErrorBody

_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")
_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


ERROR_SCHEMA_NAME = ErrorBody.__name__  # the name FastAPI gives it too, where a route lists it in `responses`
_ERROR_REF = {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}


def _error_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": dict(_ERROR_REF)}}}


def add_error_responses(document: dict[str, Any]) -> dict[str, Any]:
    """Document the error body on every operation of `document` (in place; returned for chaining).

    Idempotent, and usable on any document built from Warden apps (a per-service one or a merged one).
    """
    components = document.setdefault("components", {}).setdefault("schemas", {})
    components[ERROR_SCHEMA_NAME] = ErrorBody.model_json_schema()
    for path_item in document.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in _METHODS:
                continue
            responses = operation.setdefault("responses", {})
            if "422" in responses:
                responses["422"] = _error_response("The request does not validate: `details` lists each problem")
            responses.setdefault(
                "4XX",
                _error_response("A client error: bad input (400), not found (404), conflict (409), too large (413)"),
            )
    text = json.dumps(document.get("paths", {}))
    for name in _FASTAPI_VALIDATION_SCHEMAS:  # FastAPI's own 422 bodies: no longer referenced, so not listed
        if f"#/components/schemas/{name}" not in text:
            components.pop(name, None)
    return document


def document_error_responses(app: FastAPI) -> None:
    """Make `app.openapi()` (what `/openapi.json` serves) include the error responses of every operation."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_error_responses(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to customise the document
