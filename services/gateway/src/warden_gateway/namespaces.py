"""Namespaces and their labels: visibility (docs 7.6) and GitOps (`seldon.gitops` + `git-repo`).

Labels are stored and returned now; auth enforces visibility later and gitops-sync reads the GitOps ones.
- `seldon.restricted: "true"|"false"` - a namespace without it is not shown at all; "false" opens it to everyone.
- `seldon.group.<group>: "read"|"write"`, `seldon.user.<user>: "read"|"write"` - who may see / change it.
- `seldon.gitops: "enabled"` (+ annotation `git-repo: <git URI>`) - changes go through a git repository.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import asyncpg

from warden_common.errors import Conflict, NotFound, Unprocessable
from warden_common.git_remotes import remote_problem
from warden_common.names import dns1123_label_problem, label_value_problem, qualified_name_problem
from warden_gateway import repository as repo
from warden_gateway.crds.validator import Problem

if TYPE_CHECKING:  # the recorder's module reads namespaces' GitOps labels from here
    from warden_gateway.deployments.audit import GitRecorder

RESTRICTED = "seldon.restricted"
GROUP_PREFIX = "seldon.group."
USER_PREFIX = "seldon.user."
GITOPS = "seldon.gitops"
GIT_REPO = "git-repo"

_ACCESS = ("read", "write")
_BOOLEAN = ("true", "false")
_GITOPS = ("enabled", "disabled")


def git_remote(namespace: repo.NamespaceRow) -> str | None:
    """The namespace's remote when it is a GitOps namespace (label `seldon.gitops: enabled` + `git-repo`)."""
    if namespace.labels.get(GITOPS) == "enabled":
        return namespace.annotations.get(GIT_REPO) or None
    return None


def _map_problems(field: str, value: Any, *, label_values: bool) -> list[Problem]:
    if value is None:
        return []
    if not isinstance(value, dict):
        return [Problem(field, "must be an object of string keys to string values")]
    problems = []
    for key, item in value.items():
        if (why := qualified_name_problem(key)) is not None:
            problems.append(Problem(f"{field}.{key}", f"invalid key: {why}"))
        if label_values:
            if (why := label_value_problem(item)) is not None:
                problems.append(Problem(f"{field}.{key}", why))
        elif not isinstance(item, str) or "\x00" in item:  # PostgreSQL cannot store a NUL
            problems.append(Problem(f"{field}.{key}", "must be a string without NUL characters"))
    return problems


def _convention_problems(labels: dict[str, Any], annotations: dict[str, Any]) -> list[Problem]:
    problems = []
    for key, value in labels.items():
        if key == RESTRICTED and value not in _BOOLEAN:
            problems.append(Problem(f"labels.{key}", f'must be "true" or "false", got {value!r}'))
        elif key.startswith((GROUP_PREFIX, USER_PREFIX)) and value not in _ACCESS:
            problems.append(Problem(f"labels.{key}", f'must be "read" or "write", got {value!r}'))
        elif key == GITOPS and value not in _GITOPS:
            problems.append(Problem(f"labels.{key}", f'must be "enabled" or "disabled", got {value!r}'))
    if labels.get(GITOPS) == "enabled" and not annotations.get(GIT_REPO):
        problems.append(Problem(f"annotations.{GIT_REPO}", "a GitOps namespace needs the URI of its git repository"))
    elif GIT_REPO in annotations and (why := remote_problem(annotations[GIT_REPO])) is not None:
        problems.append(Problem(f"annotations.{GIT_REPO}", why))
    return problems


def check_namespace(body: Any, path_name: str | None = None) -> tuple[str, dict[str, str], dict[str, str]]:
    """`(name, labels, annotations)` of a namespace body; `Unprocessable` listing every problem."""
    if not isinstance(body, dict):
        raise Unprocessable('the body must be an object {"name", "labels", "annotations"}')
    # Accept the Kubernetes shape too (`metadata.name`, ...), as `kubectl get ns -o json` prints it.
    metadata = body.get("metadata")
    source: dict[str, Any] = metadata if isinstance(metadata, dict) else body
    name = source.get("name", path_name)
    labels, annotations = source.get("labels") or {}, source.get("annotations") or {}
    problems = []
    if (why := dns1123_label_problem(name)) is not None:
        problems.append(Problem("name", why))
    elif path_name is not None and name != path_name:
        problems.append(Problem("name", f"must match the namespace in the path ({path_name!r})"))
    problems += _map_problems("labels", labels, label_values=True)
    problems += _map_problems("annotations", annotations, label_values=False)
    if not problems:
        problems += _convention_problems(labels, annotations)
    if problems:
        shown = "; ".join(f"{p.path}: {p.message}" for p in problems)
        raise Unprocessable(f"invalid namespace: {shown}", details=[p.to_dict() for p in sorted(problems)])
    return str(name), dict(labels), dict(annotations)


class NamespaceService:
    def __init__(self, pool: asyncpg.Pool, recorder: GitRecorder | None = None) -> None:
        self._pool = pool
        self._recorder = recorder

    async def list(self) -> list[dict[str, Any]]:
        async with self._pool.acquire() as conn:
            return [row.to_api() for row in await repo.list_namespaces(conn)]

    async def get(self, name: str) -> dict[str, Any]:
        async with self._pool.acquire() as conn:
            row = await repo.get_namespace(conn, name)
        if row is None:
            raise NotFound(f"namespace {name!r} not found")
        return row.to_api()

    async def create(self, body: Any) -> dict[str, Any]:
        name, labels, annotations = check_namespace(body)
        async with self._pool.acquire() as conn:
            row = await repo.insert_namespace(conn, name, labels, annotations)
        if row is None:
            raise Conflict(f"namespace {name!r} already exists")
        if self._recorder is not None and git_remote(row) is not None:
            await self._recorder.attach(row)
        return row.to_api()

    async def replace(self, name: str, body: Any) -> dict[str, Any]:
        """Replace the labels and annotations (optimistic concurrency on `resourceVersion` when given)."""
        _, labels, annotations = check_namespace(body, name)
        metadata = body.get("metadata")
        expected = (metadata if isinstance(metadata, dict) else body).get("resourceVersion")
        async with self._pool.acquire() as conn, conn.transaction():
            current = await repo.get_namespace(conn, name, for_update=True)
            if current is None:
                raise NotFound(f"namespace {name!r} not found")
            if expected is not None and str(expected) != str(current.resource_version):
                raise Conflict(
                    f"namespace {name!r} was changed since you read it (resourceVersion {expected} is stale)",
                    code="stale_resource_version",
                )
            row = await repo.update_namespace(conn, name, labels, annotations)
        assert row is not None
        if self._recorder is not None and git_remote(row) != git_remote(current):
            await self._recorder.attach(row)
        return row.to_api()

    async def delete(self, name: str) -> dict[str, Any]:
        async with self._pool.acquire() as conn, conn.transaction():
            if await repo.get_namespace(conn, name, for_update=True) is None:
                raise NotFound(f"namespace {name!r} not found")
            count = await repo.count_deployments(conn, name)
            if count:
                raise Conflict(f"namespace {name!r} still holds {count} deployment(s); delete them first")
            await repo.delete_namespace(conn, name)
        return {"code": 200, "message": f"namespace {name} deleted"}
