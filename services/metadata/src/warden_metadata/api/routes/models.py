"""`/api/v1alpha1/model/metadata`: the catalog API as the seldon-deploy-sdk 1.6 calls it (protocols.md §8)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from warden_common.api_docs import error_responses
from warden_common.bodies import read_json
from warden_common.errors import BadRequest
from warden_metadata.api.deps import Actor, Service
from warden_metadata.api.docs import EMPTY, MODEL_BODY, MODELS
from warden_metadata.schemas import NO_NUL_PATTERN, QueryText
from warden_metadata.service import ModelFilters
from warden_metadata.validation import parse_model

router = APIRouter(prefix="/api/v1alpha1/model/metadata", tags=["model metadata"])

_MAP_PARAM = re.compile(r"^(tags|metrics)\[(.+)\]$")


async def _json_body(request: Request) -> Any:
    return await read_json(request)


def _map_filters(request: Request) -> tuple[dict[str, str], dict[str, float]]:
    """`?tags[author]=x&metrics[acc]=0.9`, the SDK's encoding of its `tags`/`metrics` dict parameters."""
    tags: dict[str, str] = {}
    metrics: dict[str, float] = {}
    for key, value in request.query_params.multi_items():
        match = _MAP_PARAM.match(key)
        if match is None:
            continue
        if "\x00" in key or "\x00" in value:  # PostgreSQL text cannot hold NUL: refuse it, not fail in the driver
            raise BadRequest(f"{key!r} must not contain NUL characters", details={"field": key})
        if match[1] == "tags":
            tags[match[2]] = value
        else:
            try:
                metrics[match[2]] = float(value)
            except ValueError:
                raise BadRequest(f"{key} must be a number, not {value!r}", details={"field": key}) from None
    return tags, metrics


@router.post(
    "",
    summary="Add a model to the catalog",
    openapi_extra=MODEL_BODY,
    responses={200: EMPTY, **error_responses(400, 409)},
)
async def create_model_metadata(request: Request, service: Service, actor: Actor) -> dict[str, Any]:
    await service.register(parse_model(await _json_body(request)), actor)
    return {}


@router.put(
    "",
    summary="Update a catalog entry (found by URI and project)",
    openapi_extra=MODEL_BODY,
    responses={200: EMPTY, **error_responses(400, 404)},
)
async def update_model_metadata(request: Request, service: Service, actor: Actor) -> dict[str, Any]:
    await service.update(parse_model(await _json_body(request)), actor)
    return {}


@router.delete(
    "", summary="Remove a catalog entry (by URI and project)", responses={200: EMPTY, **error_responses(400, 404)}
)
async def delete_model_metadata(
    service: Service,
    actor: Actor,
    uri: Annotated[QueryText, Query(alias="URI", min_length=1, pattern=NO_NUL_PATTERN)],
    project: Annotated[QueryText | None, Query(pattern=NO_NUL_PATTERN)] = None,
) -> dict[str, Any]:
    await service.delete(uri, project, actor)
    return {}


@router.get(
    "",
    summary="List catalog entries: filters, `query` expressions, `tags[k]=v` / `metrics[k]=x`, paging",
    responses={200: MODELS, **error_responses(400)},
)
async def list_model_metadata(
    request: Request,
    service: Service,
    uri: Annotated[QueryText | None, Query(alias="URI")] = None,
    name: Annotated[QueryText | None, Query()] = None,
    version: Annotated[QueryText | None, Query()] = None,
    artifact_type: Annotated[QueryText | None, Query(alias="artifactType")] = None,
    task_type: Annotated[QueryText | None, Query(alias="taskType")] = None,
    model_type: Annotated[QueryText | None, Query(alias="modelType")] = None,
    query: str | None = None,
    page_size: Annotated[int | None, Query(alias="pageSize")] = None,
    page_token: Annotated[QueryText | None, Query(alias="pageToken")] = None,
    list_mask: Annotated[QueryText | None, Query(alias="listMask")] = None,
    project: Annotated[QueryText | None, Query()] = None,
    order_by: Annotated[QueryText | None, Query(alias="orderBy")] = None,
    default_protocol: Annotated[QueryText | None, Query(alias="defaultProtocol")] = None,
) -> Response:
    # `modelType` is accepted for SDK compatibility; V1Model has no such field, so it cannot narrow anything.
    del model_type
    tags, metrics = _map_filters(request)
    filters = ModelFilters(
        uri=uri,
        name=name,
        version=version,
        artifact_type=artifact_type,
        task_type=task_type,
        project=project,
        default_protocol=default_protocol,
        tags=tags,
        metrics=metrics,
        query=query,
    )
    page = await service.list_models(
        filters, order_by=order_by, page_size=page_size, page_token=page_token, list_mask=list_mask
    )
    return Response(page.to_json(), media_type="application/json")
