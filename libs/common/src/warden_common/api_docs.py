"""OpenAPI building blocks every service declares its routes with, so the public document is uniform.

The gateway merges every service's routes into one public document (`/seldon-deploy/api/v1alpha1/openapi.json`);
what a route says here (error shape, bodies, examples, internal-only) is what that document shows.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

Responses = dict[int | str, dict[str, Any]]
"""FastAPI's `responses=`: by status code, the description, schema / model and examples of each answer."""

INTERNAL_ONLY: dict[str, Any] = {"x-warden-internal": True}
"""`openapi_extra` of a route that services call each other on and the public never reaches (not forwarded by
the gateway): it stays in the service's own OpenAPI but is left out of the public document."""


def is_internal(openapi_extra: dict[str, Any] | None) -> bool:
    return bool(openapi_extra and openapi_extra.get("x-warden-internal"))


class ErrorBody(BaseModel):
    """Every error Warden answers, whatever the service (`warden_common.errors.WardenError.to_body`)."""

    model_config = ConfigDict(
        title="Error",
        json_schema_extra={
            "example": {
                "code": 404,
                "reason": "not_found",
                "message": "SeldonDeployment seldon/iris not found",
            }
        },
    )

    code: int = Field(description="The HTTP status code, repeated (the seldon-deploy-sdk reads it from the body).")
    reason: str = Field(description="A stable machine-readable error code, e.g. `bad_request`, `not_found`.")
    message: str = Field(description="What is wrong and where, for people.")
    details: Any = Field(
        default=None, description="Structured hints: field paths of invalid input, the offending parameter, ..."
    )


def error_responses(*statuses: int) -> Responses:
    """`responses=` entries documenting `statuses` as the common error body."""
    return {
        status: {"model": ErrorBody, "description": HTTPStatus(status).phrase + " (the common error body)"}
        for status in statuses
    }


COMMON_ERROR_RESPONSES = error_responses(422, 500)
"""What any route can answer: invalid parameters or body (422), an unexpected fault (500, no traceback)."""


def json_body(schema: dict[str, Any], example: Any, *, yaml: bool = False, required: bool = True) -> dict[str, Any]:
    """`openapi_extra` for a route that reads its body itself (raw JSON, or YAML too): schema and example."""
    media = {"schema": schema, "example": example}
    content = {"application/json": media}
    if yaml:  # JSON is YAML: the JSON example, as a YAML document
        content["application/yaml"] = {"schema": schema, "example": json.dumps(example, indent=2)}
    return {"requestBody": {"required": required, "content": content}}


def json_response(schema: dict[str, Any], example: Any, description: str = "Successful Response") -> dict[str, Any]:
    """A `responses=` entry for a JSON answer the route builds itself (no response model to derive it from)."""
    return {"description": description, "content": {"application/json": {"schema": schema, "example": example}}}
