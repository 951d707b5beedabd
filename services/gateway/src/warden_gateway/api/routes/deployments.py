"""`/namespaces/{ns}/seldondeployments` and `/inferenceservices`: CRUD and validation, as seldon-deploy-sdk calls them.

Bodies are Kubernetes objects in JSON or YAML (`Content-Type: application/yaml`); every problem of an invalid
one comes back in a 422's `details` as `{"path", "message"}`.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, status

from warden_common.api_docs import Responses, error_responses, json_body
from warden_common.errors import BadRequest
from warden_common.names import DEPLOYMENT_NAMES, NamespaceName, with_param_types
from warden_gateway.api.body_schemas import deployment_ref
from warden_gateway.api.deps import change, deployments
from warden_gateway.api.examples import done_answer, kind_request, list_answer, object_answer
from warden_gateway.api.routes.forwarded import PUBLIC_API_PREFIX
from warden_gateway.deployments.bodies import read_body
from warden_gateway.deployments.kinds import KINDS, DeploymentKind
from warden_gateway.deployments.service import Change, DeploymentService
from warden_gateway.deployments.validation import normalize

Deployments = Annotated[DeploymentService, Depends(deployments)]
Acting = Annotated[Change, Depends(change)]


def object_body(kind: DeploymentKind) -> dict[str, Any]:
    """OpenAPI of a raw body: the routes parse it themselves so YAML works and unknown fields survive."""
    return json_body(deployment_ref(kind), kind_request(kind), yaml=True)


def _list_of(kind: DeploymentKind, items: list[dict[str, Any]]) -> dict[str, Any]:
    versions = [int(item["metadata"]["resourceVersion"]) for item in items]
    return {
        "apiVersion": kind.default_api_version,
        "kind": f"{kind.kind}List",
        "metadata": {"resourceVersion": str(max(versions, default=0))},
        "items": items,
    }


def _add_kind_routes(router: APIRouter, kind: DeploymentKind) -> None:
    collection = f"/namespaces/{{namespace}}/{kind.plural}"
    item = f"{collection}/{{name}}"
    tag: list[str | Enum] = [kind.plural]
    body = object_body(kind)

    async def list_items(namespace: NamespaceName, service: Deployments) -> dict[str, Any]:
        return _list_of(kind, await service.list(kind, namespace))

    async def create_item(
        namespace: NamespaceName, request: Request, service: Deployments, acting: Acting
    ) -> dict[str, Any]:
        return await service.create(kind, namespace, await read_body(request), acting)

    async def validate_item(namespace: NamespaceName, request: Request) -> dict[str, Any]:
        if request.method == "GET" and not (await request.body()).strip():
            # seldon-deploy-sdk 1.6 calls validate with GET, and its REST client never sends a GET body.
            raise BadRequest(
                f"nothing to validate: the GET arrived without a body (seldon-deploy-sdk 1.6 drops GET bodies); "
                f"send the {kind.kind} as the body of a POST to this path"
            )
        normalize(kind, await read_body(request), namespace)
        return {"code": 200, "message": f"the {kind.kind} is valid"}

    async def read_item(namespace: NamespaceName, name: str, service: Deployments) -> dict[str, Any]:
        return await service.get(kind, namespace, name)

    async def replace_item(
        namespace: NamespaceName, name: str, request: Request, service: Deployments, acting: Acting
    ) -> dict[str, Any]:
        return await service.replace(kind, namespace, name, await read_body(request), acting)

    async def delete_item(namespace: NamespaceName, name: str, service: Deployments, acting: Acting) -> dict[str, Any]:
        return await service.delete(kind, namespace, name, acting)

    name_type = DEPLOYMENT_NAMES[kind.kind]
    read_item = with_param_types(read_item, name=name_type)
    replace_item = with_param_types(replace_item, name=name_type)
    delete_item = with_param_types(delete_item, name=name_type)
    singular = kind.kind
    one: Responses = {200: object_answer(kind)}
    router.add_api_route(
        collection,
        list_items,
        methods=["GET"],
        tags=tag,
        summary=f"List {singular}s",
        name=f"list_{kind.plural}",
        responses={200: list_answer(kind)},
    )
    router.add_api_route(
        collection,
        create_item,
        methods=["POST"],
        tags=tag,
        summary=f"Create a {singular}",
        status_code=status.HTTP_201_CREATED,
        openapi_extra=body,
        name=f"create_{kind.plural}",
        responses={201: object_answer(kind), **error_responses(400, 404, 409, 503)},
    )
    # Before `{name}`: `validate` is reserved. The SDK calls it with GET (and cannot send the body): POST works.
    for method in ("GET", "POST"):
        router.add_api_route(
            f"{collection}/validate",
            validate_item,
            methods=[method],
            tags=tag,
            summary=f"Validate a {singular} without storing it",
            openapi_extra=body,
            name=f"validate_{kind.plural}_{method.lower()}",
            operation_id=f"validate_{kind.plural}_{method.lower()}",
            responses={200: done_answer(f"the {singular} is valid"), **error_responses(400)},
        )
    router.add_api_route(
        item,
        read_item,
        methods=["GET"],
        tags=tag,
        summary=f"Read a {singular}",
        name=f"read_{kind.plural}",
        responses={**one, **error_responses(404)},
    )
    router.add_api_route(
        item,
        replace_item,
        methods=["PUT"],
        tags=tag,
        summary=f"Replace a {singular}",
        description="A `metadata.resourceVersion` in the body must be the current one (else 409).",
        openapi_extra=body,
        name=f"replace_{kind.plural}",
        responses={**one, **error_responses(400, 404, 409, 503)},
    )
    router.add_api_route(
        item,
        delete_item,
        methods=["DELETE"],
        tags=tag,
        summary=f"Delete a {singular}",
        name=f"delete_{kind.plural}",
        responses={200: done_answer(f"{singular} seldon/iris deleted"), **error_responses(404, 409, 503)},
    )


def deployments_router() -> APIRouter:
    router = APIRouter(prefix=PUBLIC_API_PREFIX)
    for kind in KINDS.values():
        _add_kind_routes(router, kind)
    return router
