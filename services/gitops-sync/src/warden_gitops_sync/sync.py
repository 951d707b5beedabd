"""Repository -> runtime: fetch each GitOps remote (every `poll_interval_s`, or at once on a webhook call) and
publish what others committed (`RepositoryStore.publish`), then take their commits locally."""

from __future__ import annotations

import asyncio
import logging

from warden_common.errors import NotFound
from warden_gitops_sync.repository import NamespaceRepository
from warden_gitops_sync.store import RepositoryStore

logger = logging.getLogger(__name__)


async def sync_namespace(store: RepositoryStore, repo: NamespaceRepository) -> str | None:
    """Sync one repository; its new head (None: nothing to sync from). Errors are recorded in the status too."""
    if repo.remote is None:
        return None
    async with repo.lock:
        try:
            target = await repo.fetch()
            if target is not None:
                await repo.take(target, store.publish)
        except Exception as exc:  # the bus or git: either way the status shows it, the caller decides
            await store.failed(repo.namespace, exc)
            raise
        await store.synced(repo.namespace, target)
        return target


async def sync_by_name(store: RepositoryStore, namespace: str) -> str | None:
    repo = await store.existing(namespace)
    if repo.remote is None:
        raise NotFound(f"namespace {namespace!r} is not a GitOps namespace: it has no git remote to sync from")
    return await sync_namespace(store, repo)


async def poll_forever(store: RepositoryStore, interval_s: float, stopping: asyncio.Event) -> None:
    """Every `interval_s` until `stopping` is set: sync every GitOps repository; one failing never stops the others.

    The owner sets `stopping` and then cancels the task: a cancellation alone can be lost (a library awaiting with
    Python 3.11's `asyncio.wait_for` swallows one arriving as its awaitable completes), and the loop must end anyway.
    """
    while not stopping.is_set():
        await asyncio.sleep(interval_s)
        for repo in await store.discover():
            if stopping.is_set():
                return
            try:
                await sync_namespace(store, repo)
            except Exception as exc:  # recorded in the namespace's status; the next poll tries again
                logger.warning("gitops sync failed", extra={"namespace": repo.namespace, "error": str(exc)})
