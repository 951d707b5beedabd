"""The namespaces' repositories under the state directory, their sync status, and the bus they report to."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from warden_common import topics
from warden_common.bus.port import Bus
from warden_common.errors import NotFound, Unprocessable, WardenError
from warden_common.events import GITOPS_DEPLOYMENT_CHANGED, build_event
from warden_common.events.gitops import GitopsDeploymentChanged
from warden_common.git_remotes import remote_problem
from warden_gitops_sync.documents import from_yaml
from warden_gitops_sync.repository import Incoming, NamespaceRepository
from warden_gitops_sync.settings import GitopsSyncSettings

logger = logging.getLogger(__name__)

EVENT_SOURCE = "/warden/gitops-sync"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class SyncStatus:
    """What `GET /namespaces/{ns}/gitops-status` shows."""

    last_synced_commit: str | None = None
    last_sync_time: str | None = None
    last_error: str | None = None
    last_error_time: str | None = None
    applied: list[dict[str, Any]] = field(default_factory=list)


class RepositoryStore:
    def __init__(self, root: Path, settings: GitopsSyncSettings, bus: Bus) -> None:
        self.root = root
        self._settings = settings
        self._bus = bus
        self._repos: dict[str, NamespaceRepository] = {}
        self._status: dict[str, SyncStatus] = {}
        self._opening = asyncio.Lock()
        self._credentials = settings.git_credentials()

    def _new(self, namespace: str) -> NamespaceRepository:
        return NamespaceRepository(
            namespace, self.root / namespace, self._settings.branch, self._settings.git_timeout_s, self._credentials
        )

    async def get(self, namespace: str, remote: str | None) -> NamespaceRepository:
        """The namespace's repository, created (or switched to `remote`) as needed; `Unprocessable` for a remote
        git must not be given."""
        if remote is not None and (why := remote_problem(remote)) is not None:
            raise Unprocessable(f"the git-repo of namespace {namespace!r}: {why}")
        async with self._opening:
            repo = self._repos.get(namespace) or self._new(namespace)
            self._repos[namespace] = repo
        if repo.remote != remote or not (repo.path / ".git").is_dir():
            async with repo.lock:
                await repo.open(remote)
        return repo

    async def existing(self, namespace: str) -> NamespaceRepository:
        """The namespace's repository as it is on disk; `NotFound` when Warden never recorded a change there."""
        async with self._opening:
            repo = self._repos.get(namespace)
            if repo is None:
                if not (self.root / namespace / ".git").is_dir():
                    raise NotFound(f"namespace {namespace!r} has no recorded deployment changes yet")
                repo = self._new(namespace)
                self._repos[namespace] = repo
        if repo.remote is None and (repo.path / ".git").is_dir():
            remote = (await repo.git.run("remote", "get-url", "origin", check=False)).strip() or None
            async with repo.lock:
                await repo.open(remote)
        return repo

    async def discover(self) -> list[NamespaceRepository]:
        """Every namespace repository on disk (after a restart too)."""
        if not self.root.is_dir():
            return []
        found = []
        for path in sorted(self.root.iterdir()):
            if (path / ".git").is_dir():
                found.append(await self.existing(path.name))
        return found

    # --- status ----------------------------------------------------------------------------------------------

    def status_of(self, namespace: str) -> SyncStatus:
        return self._status.setdefault(namespace, SyncStatus())

    def synced(self, namespace: str, commit: str | None) -> None:
        status = self.status_of(namespace)
        status.last_synced_commit, status.last_sync_time = commit, _now()
        status.last_error = status.last_error_time = None

    def failed(self, namespace: str, error: WardenError | Exception) -> None:
        status = self.status_of(namespace)
        status.last_error = error.message if isinstance(error, WardenError) else repr(error)
        status.last_error_time = _now()

    # --- incoming changes to the bus -------------------------------------------------------------------------

    async def publish(self, changes: list[Incoming]) -> None:
        """One event per changed deployment file, keyed like the deployment's lifecycle events (ordered)."""
        for change in changes:
            where = f"{change.namespace}/{change.name}.yaml at {change.commit[:12]}"
            payload = GitopsDeploymentChanged(
                namespace=change.namespace,
                name=change.name,
                commit=change.commit,
                author=change.author,
                message=change.message,
                spec=from_yaml(change.after, where) if change.after is not None else None,
                previous=_lenient(change.before),
            )
            event = build_event(GITOPS_DEPLOYMENT_CHANGED, payload, source=EVENT_SOURCE)
            await self._bus.publish(event, topic=topics.GITOPS, key=f"{change.namespace}/{change.name}")
            self.status_of(change.namespace).applied.append(
                {"file": f"{change.namespace}/{change.name}.yaml", "commit": change.commit, "time": _now()}
            )
            del self.status_of(change.namespace).applied[:-20]
            logger.info(
                "deployment changed in git",
                extra={"namespace": change.namespace, "deployment": change.name, "commit": change.commit},
            )


def _lenient(text: str | None) -> dict[str, Any] | None:
    """The previous file as an object when it was one (a broken earlier file only disables the guard)."""
    if text is None:
        return None
    try:
        return from_yaml(text, "previous file")
    except WardenError:
        return None
