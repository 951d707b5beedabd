"""Every deployment change is a commit, made BEFORE the change is stored: through gitops-sync, which keeps one
repository per namespace (pushed to the namespace's `git-repo` remote for a GitOps namespace, a local audit
repository otherwise).

The call happens inside the change's database transaction, holding the deployment's row lock: when the commit
or its push fails, the transaction rolls back and the API answers the error (409 conflict, 503 remote
unreachable); nothing is applied that git does not have. Without a gitops-sync service configured (a bare
gateway, e.g. in some tests) the audit is off, except for GitOps namespaces, whose changes are then refused.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

import httpx

from warden_common.errors import ServiceUnavailable, WardenError
from warden_common.upstreams import Upstreams
from warden_common.urls import build_path
from warden_gateway import repository as repo
from warden_gateway.namespaces import git_remote

logger = logging.getLogger(__name__)

GITOPS_SYNC = "gitops-sync"


def as_committed(obj: dict[str, Any]) -> dict[str, Any]:
    """What the repository holds of a deployment: the object without status and server-managed metadata."""
    stored = repo.strip_managed({k: copy.deepcopy(v) for k, v in obj.items() if k != "status"})
    return stored


def _error_of(answer: httpx.Response) -> WardenError:
    try:
        body = answer.json()
    except ValueError:
        body = {}
    message = body.get("message") if isinstance(body, dict) else None
    code = body.get("reason") if isinstance(body, dict) else None
    return WardenError(
        str(message or f"gitops-sync answered {answer.status_code}"),
        status_code=answer.status_code if answer.status_code < 500 else 503,
        code=str(code or "git_failed"),
        details=body.get("details") if isinstance(body, dict) else None,
    )


class GitRecorder:
    def __init__(self, upstreams: Upstreams | None) -> None:
        self._upstreams = upstreams

    @property
    def enabled(self) -> bool:
        return self._upstreams is not None and self._upstreams.configured(GITOPS_SYNC)

    async def record(
        self, namespace: repo.NamespaceRow, name: str, obj: dict[str, Any] | None, actor: str, message: str
    ) -> str | None:
        """Commit the deployment's new state (None: deleted); the commit's hash (None: nothing changed)."""
        remote = git_remote(namespace)
        if not self.enabled or self._upstreams is None:
            if remote is not None:
                raise ServiceUnavailable(
                    f"namespace {namespace.name!r} is a GitOps namespace and the gitops-sync service is not "
                    "configured (WARDEN_GATEWAY_UPSTREAMS__GITOPS_SYNC): the change was not applied"
                )
            return None
        body = {
            "name": name,
            "object": as_committed(obj) if obj is not None else None,
            "actor": actor,
            "message": message,
            "remote": remote,
        }
        path = build_path("/internal/v1/namespaces/{namespace}/commits", namespace=namespace.name)
        answer = await self._upstreams.send(GITOPS_SYNC, "POST", path, json=body)
        if answer.status_code != 200:
            raise _error_of(answer)
        commit: str | None = answer.json().get("commit")
        return commit

    async def attach(self, namespace: repo.NamespaceRow) -> None:
        """Tell gitops-sync the namespace's remote changed (it clones it and applies what is there). Best effort:
        the namespace is stored already; a failure is logged, and the first change there attaches it anyway."""
        if not self.enabled or self._upstreams is None:
            return
        path = build_path("/internal/v1/namespaces/{namespace}/repository", namespace=namespace.name)
        try:
            answer = await self._upstreams.send(GITOPS_SYNC, "PUT", path, json={"remote": git_remote(namespace)})
            if answer.status_code != 200:
                raise _error_of(answer)
            error = answer.json().get("lastError")
        except WardenError as exc:
            error = exc.message
        if error:
            logger.warning(
                "the namespace's git repository could not be synced",
                extra={"namespace": namespace.name, "error": error},
            )

    async def version(self, namespace: str, name: str, hash_: str | None, how: str) -> dict[str, Any]:
        """`{"commit", "object"}`: the deployment as at commit `hash_` (`restore`) or without its change (`revert`)."""
        if not self.enabled or self._upstreams is None:
            raise ServiceUnavailable(
                "the audit log needs the gitops-sync service: set WARDEN_GATEWAY_UPSTREAMS__GITOPS_SYNC"
            )
        path = build_path(
            "/internal/v1/namespaces/{namespace}/deployments/{name}/{how}", namespace=namespace, name=name, how=how
        )
        answer = await self._upstreams.send(GITOPS_SYNC, "GET", path, params={"hash": hash_ or ""})
        if answer.status_code != 200:
            raise _error_of(answer)
        version: dict[str, Any] = answer.json()
        return version
