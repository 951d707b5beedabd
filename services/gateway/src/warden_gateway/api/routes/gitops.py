"""`{base}/gitrestore` and `{base}/gitrevert` (`{base}` = `/namespaces/{ns}/<kind>/{name}`), GET as
seldon-deploy-sdk 1.6 sends them and POST.

    gitrestore?hash=&message=   the deployment becomes what it was at commit `hash` (deleted if it did not exist)
    gitrevert?hash=&message=    commit `hash`'s change is undone (409 when later changes overlap it)

The gateway owns deployments, so it applies the version gitops-sync gives it like any change: committed first
(a new commit, authored by the acting user), then stored and rolled out; the answer comes after both. The
history itself (`gitlogs`, `gitdiff`) is gitops-sync's, forwarded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request

from warden_common.api_docs import error_responses
from warden_common.git_remotes import COMMIT_HASH_PATTERN
from warden_common.names import DEPLOYMENT_NAMES, NamespaceName, with_param_types
from warden_gateway.api.deps import change, deployments
from warden_gateway.api.examples import done_answer
from warden_gateway.api.routes.forwarded import PUBLIC_API_PREFIX
from warden_gateway.deployments.audit import GitRecorder
from warden_gateway.deployments.converge import converge
from warden_gateway.deployments.kinds import KINDS, DeploymentKind
from warden_gateway.deployments.service import Change, DeploymentService

Deployments = Annotated[DeploymentService, Depends(deployments)]
Acting = Annotated[Change, Depends(change)]
Hash = Annotated[str, Query(pattern=COMMIT_HASH_PATTERN, description="The commit, as `gitlogs` lists it.")]
How = Literal["restore", "revert"]


def _recorder(request: Request) -> GitRecorder:
    recorder: GitRecorder | None = getattr(request.app.state, "git", None)
    if recorder is None:
        return GitRecorder(None)  # answers the 503 naming the missing service
    return recorder


def _endpoint(kind: DeploymentKind, how: How) -> Callable[..., Any]:
    async def endpoint(
        namespace: NamespaceName,
        name: str,
        service: Deployments,
        acting: Acting,
        recorder: Annotated[GitRecorder, Depends(_recorder)],
        hash: Hash,
    ) -> dict[str, Any]:
        version = await recorder.version(namespace, name, hash, how)
        commit = str(version["commit"])
        summary = f"Restored to {commit[:12]}" if how == "restore" else f"Reverted {commit[:12]}"
        acted = Change(actor=acting.actor, comment=acting.comment, summary=summary)
        done = await converge(service, namespace, name, version.get("object"), acted)
        verb = "restored to" if how == "restore" else "reverted"
        return {"code": 200, "message": f"{kind.kind} {namespace}/{name} {verb} commit {commit[:12]}: {done}"}

    endpoint.__name__ = f"git{how}_{kind.plural}"
    return with_param_types(endpoint, name=DEPLOYMENT_NAMES[kind.kind])


def git_versions_router() -> APIRouter:
    router = APIRouter(prefix=PUBLIC_API_PREFIX)
    for kind in KINDS.values():
        base = f"/namespaces/{{namespace}}/{kind.plural}/{{name}}"
        for how, summary in (
            ("restore", "Restore the deployment as it was at a commit (a new commit)"),
            ("revert", "Undo one commit's change to the deployment (a new commit)"),
        ):
            endpoint = _endpoint(kind, how)  # type: ignore[arg-type]
            for method in ("GET", "POST"):
                router.add_api_route(
                    f"{base}/git{how}",
                    endpoint,
                    methods=[method],
                    tags=[f"{kind.plural} audit log"],
                    summary=summary,
                    name=f"git{how}_{kind.plural}_{method.lower()}",
                    operation_id=f"git{how}_{kind.plural}_{method.lower()}",
                    responses={
                        200: done_answer(f"{kind.kind} seldon/iris restored to commit 3f1c2a9e5b7d: updated"),
                        **error_responses(404, 409, 422, 503),
                    },
                )
    return router
