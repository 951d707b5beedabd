"""What the routes do: record a change, read the history, give the spec to restore or revert to, report status."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Literal

from warden_common.errors import NotFound
from warden_gitops_sync import history
from warden_gitops_sync.documents import check_hash, file_of, from_yaml, to_yaml
from warden_gitops_sync.git import author_of
from warden_gitops_sync.repository import NamespaceRepository
from warden_gitops_sync.store import RepositoryStore
from warden_gitops_sync.sync import sync_by_name, sync_namespace

Version = Literal["restore", "revert"]


class GitopsService:
    def __init__(self, store: RepositoryStore, push_attempts: int) -> None:
        self.store = store
        self._push_attempts = push_attempts
        self._background: set[asyncio.Task[None]] = set()

    async def record(
        self, namespace: str, name: str, obj: dict[str, Any] | None, actor: str, message: str, remote: str | None
    ) -> str | None:
        """Commit the deployment's new object (None: deleted) as `actor`; pushed first when `remote` is set."""
        repo = await self.store.get(namespace, remote)
        content = to_yaml(obj) if obj is not None else None
        async with repo.lock:
            commit = await repo.commit(
                name, content, author_of(actor), message, self.store.publish, self._push_attempts
            )
            if remote is not None:
                await self.store.synced(namespace, await repo.git.rev("HEAD"))
        return commit

    async def attach(self, namespace: str, remote: str | None) -> dict[str, Any]:
        """The namespace became (or stopped being) a GitOps one: open its repository and, with a remote, start
        syncing what is already there into the runtime (in the background: the namespace API does not wait on
        the network; a failing sync shows in the status, and the poller tries again)."""
        repo = await self.store.get(namespace, remote)
        if remote is not None:
            task = asyncio.create_task(self._sync_quietly(repo), name=f"gitops-attach-{namespace}")
            self._background.add(task)
            task.add_done_callback(self._background.discard)
        return await self.status(namespace)

    async def _sync_quietly(self, repo: NamespaceRepository) -> None:
        with contextlib.suppress(Exception):  # recorded in the namespace's status by sync_namespace
            await sync_namespace(self.store, repo)

    async def close(self) -> None:
        """Stop the background syncs still running."""
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)

    async def logs(self, namespace: str, name: str) -> list[dict[str, Any]]:
        try:
            repo = await self.store.existing(namespace)
        except NotFound:
            return []
        async with repo.lock:
            return await history.commits(repo, name)

    async def diff(self, namespace: str, name: str, hash_: str | None) -> dict[str, Any]:
        repo = await self._history_of(namespace, name)
        async with repo.lock:
            return await history.diff(repo, name, check_hash(hash_))

    async def version(self, namespace: str, name: str, hash_: str | None, how: Version) -> dict[str, Any]:
        """The object to set the deployment to so it is as at commit `hash_` (restore) or without that commit's
        change (revert): `{"commit", "object"}`, `object` None meaning the deployment must not exist."""
        repo = await self._history_of(namespace, name)
        checked = check_hash(hash_)
        async with repo.lock:
            if how == "restore":
                commit, text = await history.content_at(repo, name, checked)
            else:
                commit, text = await history.reverted(repo, name, checked)
        where = f"{file_of(namespace, name)} at {commit[:12]}"
        return {"commit": commit, "object": from_yaml(text, where) if text is not None else None}

    async def _history_of(self, namespace: str, name: str) -> NamespaceRepository:
        try:
            return await self.store.existing(namespace)
        except NotFound:
            raise NotFound(f"{namespace}/{name} has no recorded history; `gitlogs` lists its commits") from None

    async def status(self, namespace: str) -> dict[str, Any]:
        try:
            repo = await self.store.existing(namespace)
        except NotFound:
            return {"namespace": namespace, "gitops": False, "recorded": False}
        status = await self.store.status_of(namespace)
        # Not under the repository's lock: git updates HEAD atomically, and a fetch or push holding the lock may
        # wait on a slow remote (up to the git timeout), which must stall neither this page nor the namespace API.
        head = await repo.git.rev("HEAD")
        return {
            "namespace": namespace,
            "gitops": repo.remote is not None,
            "recorded": True,
            "remote": repo.shown_remote,
            "branch": repo.branch,
            "head": head,
            "lastSyncedCommit": status.last_synced_commit,
            "lastSyncTime": status.last_sync_time,
            "lastError": status.last_error,
            "lastErrorTime": status.last_error_time,
            "recentlyApplied": list(status.applied),
        }

    async def sync(self, namespace: str) -> dict[str, Any]:
        head = await sync_by_name(self.store, namespace)
        return {"namespace": namespace, "head": head}
