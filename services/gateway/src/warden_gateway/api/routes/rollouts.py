"""Rollout actions on `{base}` = `/namespaces/{ns}/<kind>/{name}`: canary and shadow, add / promote / remove.

    POST   {base}/canary           add a canary: {"modelUri", "implementation", "traffic": 10, "comment"} or a predictor
    POST   {base}/canary/promote   the canary becomes the default predictor with all traffic
    DELETE {base}/canary           remove the canary, all traffic back to the default
    POST   {base}/shadow           add a shadow (SeldonDeployment): {"modelUri", "implementation"} or a predictor
    POST   {base}/shadow/promote   the shadow becomes the default predictor
    DELETE {base}/shadow           remove the shadow

Each answers the updated object. The version comment comes from the body's `comment` or `?message=`; the acting
user from `X-Warden-User` until auth lands. Each is validated and published like a PUT. The body shapes are in
`deployments.rollout_bodies`.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from pydantic import RootModel

from warden_common.api_docs import error_responses
from warden_common.bodies import json_shape_checked
from warden_common.names import DEPLOYMENT_NAMES, NamespaceName, with_param_types
from warden_gateway.api.deps import change, deployments
from warden_gateway.api.examples import object_answer
from warden_gateway.api.routes.forwarded import PUBLIC_API_PREFIX
from warden_gateway.deployments import rollouts as r
from warden_gateway.deployments.kinds import KINDS, DeploymentKind
from warden_gateway.deployments.rollout_bodies import CommentRequest, parse_rollout
from warden_gateway.deployments.rollout_schemas import rollout_model
from warden_gateway.deployments.service import Change, DeploymentService

Deployments = Annotated[DeploymentService, Depends(deployments)]
Acting = Annotated[Change, Depends(change)]
Obj = dict[str, Any]

_ACTIONS: dict[str, dict[str, Callable[..., Obj]]] = {
    "SeldonDeployment": {
        "add_canary": r.seldon_add_canary,
        "promote_canary": r.seldon_promote_canary,
        "remove_canary": r.seldon_remove_canary,
        "add_shadow": r.seldon_add_shadow,
        "promote_shadow": r.seldon_promote_shadow,
        "remove_shadow": r.seldon_remove_shadow,
    },
    "InferenceService": {
        "add_canary": r.isvc_add_canary,
        "promote_canary": r.isvc_promote_canary,
        "remove_canary": r.isvc_remove_canary,
        "add_shadow": lambda obj, _request: r.isvc_no_shadow(obj),
        "promote_shadow": r.isvc_no_shadow,
        "remove_shadow": r.isvc_no_shadow,
    },
}


def _with_comment(acting: Change, comment: str | None, action: str) -> Change:
    """The acting user with the version comment; `action` ("promote_canary") summarizes it for the commit."""
    what, _, part = action.partition("_")
    summary = f"{part.capitalize()} {'added' if what == 'add' else what + 'd'}"
    return Change(actor=acting.actor, comment=comment or acting.comment, summary=summary)


def _add_kind_routes(router: APIRouter, kind: DeploymentKind) -> None:
    base = f"/namespaces/{{namespace}}/{kind.plural}/{{name}}"
    actions = _ACTIONS[kind.kind]
    tag: list[str | Enum] = [f"{kind.plural} rollouts"]

    async def add_canary(
        namespace: NamespaceName,
        name: str,
        body: Annotated[RootModel[Obj], Body()],
        service: Deployments,
        acting: Acting,
    ) -> Obj:
        request = parse_rollout(kind.kind, body.root, canary=True)

        def apply(obj: Obj) -> Obj:
            return actions["add_canary"](obj, request)

        return await service.transform(
            kind, namespace, name, apply, _with_comment(acting, request.comment, "add_canary")
        )

    async def add_shadow(
        namespace: NamespaceName,
        name: str,
        body: Annotated[RootModel[Obj], Body()],
        service: Deployments,
        acting: Acting,
    ) -> Obj:
        if kind.kind == "InferenceService":
            r.isvc_no_shadow(body.root)  # before the body's shape: there is no shadow to describe
        request = parse_rollout(kind.kind, body.root, canary=False)

        def apply(obj: Obj) -> Obj:
            return actions["add_shadow"](obj, request)

        return await service.transform(
            kind, namespace, name, apply, _with_comment(acting, request.comment, "add_shadow")
        )

    def simple(action: str) -> Callable[..., Any]:
        async def run(
            namespace: NamespaceName,
            name: str,
            service: Deployments,
            acting: Acting,
            request: Annotated[CommentRequest | None, Body()] = None,
        ) -> Obj:
            comment = request.comment if request else None
            return await service.transform(
                kind, namespace, name, actions[action], _with_comment(acting, comment, action)
            )

        run.__name__ = f"{action}_{kind.plural}"
        return with_param_types(run, name=DEPLOYMENT_NAMES[kind.kind])

    add_canary.__name__ = f"add_canary_{kind.plural}"
    add_shadow.__name__ = f"add_shadow_{kind.plural}"
    # Per kind: the name rule and the body's accepted shapes (documented as `oneOf`, see `rollout_schemas`).
    canary_body: Any = Annotated[rollout_model(kind.kind, canary=True), Body()]
    shadow_body: Any = Annotated[rollout_model(kind.kind, canary=False), Body()]
    add_canary = with_param_types(add_canary, name=DEPLOYMENT_NAMES[kind.kind], body=canary_body)
    add_shadow = with_param_types(add_shadow, name=DEPLOYMENT_NAMES[kind.kind], body=shadow_body)
    routes: list[tuple[str, str, Callable[..., Any], str]] = [
        ("/canary", "POST", add_canary, "Add a canary predictor with a share of the traffic"),
        ("/canary/promote", "POST", simple("promote_canary"), "Promote the canary to default, with all traffic"),
        ("/canary", "DELETE", simple("remove_canary"), "Remove the canary; all traffic back to the default"),
        ("/shadow", "POST", add_shadow, "Add a shadow predictor that gets a mirrored copy of every request"),
        ("/shadow/promote", "POST", simple("promote_shadow"), "Promote the shadow to be the default predictor"),
        ("/shadow", "DELETE", simple("remove_shadow"), "Remove the shadow predictor"),
    ]
    for suffix, method, endpoint, summary in routes:
        router.add_api_route(
            base + suffix,
            endpoint,
            methods=[method],
            tags=tag,
            summary=summary,
            name=endpoint.__name__,
            responses={200: object_answer(kind), **error_responses(400, 404, 409, 413, 503)},
            dependencies=[Depends(json_shape_checked)],  # FastAPI parses these bodies: limits first
        )


def rollouts_router() -> APIRouter:
    router = APIRouter(prefix=PUBLIC_API_PREFIX)
    for kind in KINDS.values():
        _add_kind_routes(router, kind)
    return router
