"""`/namespaces`: create, list, read, relabel and delete namespaces (labels drive visibility and GitOps)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, status

from warden_common.api_docs import Responses, error_responses, json_body, json_response
from warden_common.names import NamespaceName
from warden_gateway.api.body_schemas import NAMESPACE_BODY, NAMESPACE_CREATE_BODY, NAMESPACE_OBJECT
from warden_gateway.api.deps import namespaces
from warden_gateway.api.examples import NAMESPACE, done_answer
from warden_gateway.api.routes.forwarded import PUBLIC_API_PREFIX
from warden_gateway.deployments.bodies import read_body
from warden_gateway.namespaces import NamespaceService

Namespaces = Annotated[NamespaceService, Depends(namespaces)]
# Not a GitOps one: a fuzzer replays the example, and GitOps namespaces need a real git repository.
_EXAMPLE = {"name": "staging", "labels": {"seldon.restricted": "false"}, "annotations": {"owner": "ml-platform"}}

_ONE: Responses = {200: json_response(NAMESPACE_OBJECT, NAMESPACE, "The namespace")}


def namespaces_router() -> APIRouter:
    router = APIRouter(prefix=f"{PUBLIC_API_PREFIX}/namespaces", tags=["namespaces"])

    @router.get(
        "",
        summary="List namespaces",
        responses={200: json_response({"type": "array", "items": NAMESPACE_OBJECT}, [NAMESPACE])},
    )
    async def list_namespaces(service: Namespaces) -> list[dict[str, Any]]:
        return await service.list()

    @router.post(
        "",
        status_code=status.HTTP_201_CREATED,
        summary="Create a namespace",
        openapi_extra=json_body(NAMESPACE_CREATE_BODY, _EXAMPLE, yaml=True),
        responses={201: json_response(NAMESPACE_OBJECT, NAMESPACE, "The new namespace"), **error_responses(400, 409)},
    )
    async def create_namespace(request: Request, service: Namespaces) -> dict[str, Any]:
        return await service.create(await read_body(request))

    @router.get("/{namespace}", summary="Read a namespace", responses={**_ONE, **error_responses(404)})
    async def read_namespace(namespace: NamespaceName, service: Namespaces) -> dict[str, Any]:
        return await service.get(namespace)

    @router.put(
        "/{namespace}",
        summary="Replace a namespace's labels and annotations",
        description="Optimistic concurrency: a `resourceVersion` in the body must be the current one (else 409).",
        openapi_extra=json_body(NAMESPACE_BODY, _EXAMPLE, yaml=True),
        responses={**_ONE, **error_responses(400, 404, 409)},
    )
    async def replace_namespace(namespace: NamespaceName, request: Request, service: Namespaces) -> dict[str, Any]:
        return await service.replace(namespace, await read_body(request))

    @router.delete(
        "/{namespace}",
        summary="Delete an empty namespace",
        responses={200: done_answer("namespace staging deleted"), **error_responses(404, 409)},
    )
    async def delete_namespace(namespace: NamespaceName, service: Namespaces) -> dict[str, Any]:
        return await service.delete(namespace)

    return router
