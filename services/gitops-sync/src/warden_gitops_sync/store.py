"""The namespaces' repositories under the state directory, their sync status, and the bus they report to."""

from __future__ import annotations

import asyncio
import logging
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
from warden_gitops_sync.status import MemoryStatusStore, StatusStore, SyncStatus, now_text

logger = logging.getLogger(__name__)

EVENT_SOURCE = "/warden/gitops-sync"


class RepositoryStore:
    def __init__(self, root: Path, settings: GitopsSyncSettings, bus: Bus, status: StatusStore | None = None) -> None:
        self.root = root
        self._settings = settings
        self._bus = bus
        self._repos: dict[str, NamespaceRepository] = {}
        self._status: StatusStore = status or MemoryStatusStore()
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

    async def status_of(self, namespace: str) -> SyncStatus:
        return await self._status.get(namespace)

    async def synced(self, namespace: str, commit: str | None) -> None:
        await self._status.synced(namespace, commit)

    async def failed(self, namespace: str, error: WardenError | Exception) -> None:
        await self._status.failed(namespace, error.message if isinstance(error, WardenError) else repr(error))

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
            await self._status.applied(
                change.namespace,
                {"file": f"{change.namespace}/{change.name}.yaml", "commit": change.commit, "time": now_text()},
            )
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
