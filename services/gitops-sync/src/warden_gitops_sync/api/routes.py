"""gitops-sync's routes.

Public (forwarded by the gateway; `{base}` = `/namespaces/{ns}/seldondeployments/{name}` or
`/namespaces/{ns}/inferenceservices/{name}`):
    GET  {base}/gitlogs                  commits that changed the deployment (seldon-deploy-sdk `AuditLog`)
    GET  {base}/gitdiff?hash=            what one of them changed (`FileDiff`)
    GET  /namespaces/{ns}/gitops-status  the namespace's repository and sync status
    POST /namespaces/{ns}/gitops-sync    sync now (the webhook for the git host)
Internal (the gateway only): record a change; the object to restore or revert to (`gitrestore` / `gitrevert` are
the gateway's routes: it owns the deployments and applies the result like any change).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from warden_common.api_docs import INTERNAL_ONLY, error_responses, json_response
from warden_common.git_remotes import COMMIT_HASH_PATTERN
from warden_common.names import DEPLOYMENT_NAMES, NamespaceName, with_param_types
from warden_common.service_app import state_dependency
from warden_gitops_sync.service import GitopsService, Version

PREFIX = "/api/v1alpha1"
INTERNAL = "/internal/v1"
PLURALS = {"seldondeployments": "SeldonDeployment", "inferenceservices": "InferenceService"}


Service = Annotated[GitopsService, Depends(state_dependency(GitopsService, "gitops", "its git repositories are"))]
Hash = Annotated[
    str, Query(pattern=COMMIT_HASH_PATTERN, description="A commit hash as `gitlogs` lists it (4-64 hex digits).")
]
InternalHash = Annotated[str | None, Query()]

_LOG_EXAMPLE = [
    {
        "Hash": "3f1c2a9e5b7d4c10a8f6e2d1b0c9a8f7e6d5c4b3",
        "ParentHash": "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b",
        "AuthorName": "alice",
        "AuthorEmail": "alice@warden.invalid",
        "AuthorWhen": "2026-01-05T12:30:09+00:00",
        "CommitterName": "Warden",
        "CommitterEmail": "warden@warden.invalid",
        "CommitterWhen": "2026-01-05T12:30:09+00:00",
        "Message": "Canary added: try xgboost",
    }
]
_LOGS = json_response({"type": "array", "items": {"type": "object"}}, _LOG_EXAMPLE, "Commits, newest first")
_DIFF = json_response(
    {"type": "object"},
    {
        "ChangeType": "modify",
        "CommitHash": _LOG_EXAMPLE[0]["Hash"],
        "PrevCommitHash": _LOG_EXAMPLE[0]["ParentHash"],
        "FileName": "seldon/iris.yaml",
        "From": "...",
        "To": "...",
        "Diff": "diff --git a/seldon/iris.yaml b/seldon/iris.yaml\n...",
        "GitHubUrl": None,
    },
    "The commit's change to the deployment's file",
)

_STATUS = json_response(
    {"type": "object"},
    {
        "namespace": "seldon",
        "gitops": True,
        "recorded": True,
        "remote": "https://alice:***@git.example.com/ml/deployments.git",
        "branch": "main",
        "head": _LOG_EXAMPLE[0]["Hash"],
        "lastSyncedCommit": _LOG_EXAMPLE[0]["Hash"],
        "lastSyncTime": "2026-01-05T12:30:10Z",
        "lastError": None,
        "lastErrorTime": None,
        "recentlyApplied": [
            {"file": "seldon/iris.yaml", "commit": _LOG_EXAMPLE[0]["Hash"], "time": "2026-01-05T12:30:10Z"}
        ],
    },
    "The namespace's repository and its sync status",
)
_SYNCED = json_response({"type": "object"}, {"namespace": "seldon", "head": _LOG_EXAMPLE[0]["Hash"]}, "Synced")


def _add_history_routes(router: APIRouter, plural: str, kind: str) -> None:
    base = f"{PREFIX}/namespaces/{{namespace}}/{plural}/{{name}}"

    async def gitlogs(namespace: NamespaceName, name: str, service: Service) -> list[dict[str, Any]]:
        return await service.logs(namespace, name)

    async def gitdiff(namespace: NamespaceName, name: str, service: Service, hash: Hash) -> dict[str, Any]:
        return await service.diff(namespace, name, hash)

    gitlogs.__name__, gitdiff.__name__ = f"gitlogs_{plural}", f"gitdiff_{plural}"
    tags: list[Any] = [f"{plural} audit log"]
    router.add_api_route(
        f"{base}/gitlogs",
        with_param_types(gitlogs, name=DEPLOYMENT_NAMES[kind]),
        methods=["GET"],
        tags=tags,
        summary=f"The {kind}'s audit log: every commit that changed it",
        responses={200: _LOGS, **error_responses(422)},
    )
    router.add_api_route(
        f"{base}/gitdiff",
        with_param_types(gitdiff, name=DEPLOYMENT_NAMES[kind]),
        methods=["GET"],
        tags=tags,
        summary=f"What one commit changed in the {kind}",
        responses={200: _DIFF, **error_responses(404, 422)},
    )


class RecordRequest(BaseModel):
    name: str = Field(min_length=1)
    object: dict[str, Any] | None = Field(description="The deployment as stored; None: it was deleted.")
    actor: str = Field(min_length=1)
    message: str = Field(min_length=1)
    remote: str | None = Field(None, description="The namespace's `git-repo` when it is a GitOps namespace.")


class AttachRequest(BaseModel):
    remote: str | None = Field(description="The namespace's `git-repo` when it is a GitOps namespace, else None.")


def gitops_router() -> APIRouter:
    router = APIRouter()
    for plural, kind in PLURALS.items():
        _add_history_routes(router, plural, kind)

    @router.get(
        f"{PREFIX}/namespaces/{{namespace}}/gitops-status",
        tags=["gitops"],
        summary="The namespace's git repository and sync status (last synced commit, time, last error)",
        responses={200: _STATUS, **error_responses(422)},
    )
    async def gitops_status(namespace: NamespaceName, service: Service) -> dict[str, Any]:
        return await service.status(namespace)

    @router.post(
        f"{PREFIX}/namespaces/{{namespace}}/gitops-sync",
        tags=["gitops"],
        summary="Sync the namespace from its git remote now (the webhook to give the git host)",
        responses={200: _SYNCED, **error_responses(404, 409, 422, 503)},
    )
    async def gitops_sync(namespace: NamespaceName, service: Service) -> dict[str, Any]:
        return await service.sync(namespace)

    @router.post(f"{INTERNAL}/namespaces/{{namespace}}/commits", openapi_extra=INTERNAL_ONLY)
    async def record_change(namespace: NamespaceName, body: RecordRequest, service: Service) -> dict[str, Any]:
        commit = await service.record(namespace, body.name, body.object, body.actor, body.message, body.remote)
        return {"commit": commit}

    @router.put(f"{INTERNAL}/namespaces/{{namespace}}/repository", openapi_extra=INTERNAL_ONLY)
    async def attach_repository(namespace: NamespaceName, body: AttachRequest, service: Service) -> dict[str, Any]:
        return await service.attach(namespace, body.remote)

    @router.get(f"{INTERNAL}/namespaces/{{namespace}}/deployments/{{name}}/{{how}}", openapi_extra=INTERNAL_ONLY)
    async def version_of(
        namespace: NamespaceName, name: str, how: Version, service: Service, hash: InternalHash = None
    ) -> dict[str, Any]:
        return await service.version(namespace, name, hash, how)

    return router
