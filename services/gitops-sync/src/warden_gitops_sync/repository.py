"""One namespace's git repository: the GitOps clone of its remote, or a local audit repository that is never pushed.

Every change to the working tree happens under the repository's lock, so changes to one namespace are serialized.
The local branch never keeps a commit the remote refused: a commit is pushed before it counts, and a push that
fails is undone locally (the caller rejects the change; nothing is silently dropped or left half-done). When the
remote moved meanwhile, its new commits are handed to the sync (`Incoming`) before ours is rebased on top of
them; when they touched the same deployment file the change is refused as a conflict.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from warden_common.errors import Conflict, ServiceUnavailable
from warden_common.git_remotes import redact
from warden_gitops_sync.credentials import GitCredentials
from warden_gitops_sync.documents import file_of
from warden_gitops_sync.git import Author, Git, GitFailed

logger = logging.getLogger(__name__)

ORIGIN = "origin"


@dataclass(frozen=True)
class Incoming:
    """A deployment file another writer changed on the remote, between what we had and the remote's head."""

    namespace: str
    name: str
    before: str | None
    after: str | None
    commit: str
    author: str
    message: str


Publish = Callable[[list[Incoming]], Awaitable[None]]
"""Hands incoming changes to the runtime (the bus); must succeed before the local branch takes them."""


def _behind(exc: GitFailed) -> bool:
    """A push refused because the remote has commits we lack, as opposed to an unreachable remote or one that
    refuses (a hook, permissions): `git push --porcelain` prints `!<TAB>ref<TAB>[rejected] (fetch first |
    non-fast-forward)` for the former, `[remote rejected]` or nothing for the others."""
    return any(line.startswith("!") and "\t[rejected]" in line for line in exc.stdout.splitlines())


class NamespaceRepository:
    def __init__(
        self,
        namespace: str,
        path: Path,
        branch: str,
        git_timeout_s: float,
        credentials: GitCredentials | None = None,
    ) -> None:
        self.namespace = namespace
        self.path = path
        self.branch = branch
        self.git = Git(path, git_timeout_s, credentials)
        self.lock = asyncio.Lock()
        self.remote: str | None = None

    @property
    def shown_remote(self) -> str | None:
        return redact(self.remote)

    async def open(self, remote: str | None) -> None:
        """Create or adopt the working tree; a different remote than before retires the old tree (kept on disk)."""
        if (self.path / ".git").is_dir():
            current = (await self.git.run("remote", "get-url", ORIGIN, check=False)).strip() or None
            if current == remote:
                self.remote = remote
                return
            retired = self.path.parent / ".retired" / f"{self.path.name}-{int(time.time())}"
            retired.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(self.path), str(retired))
            logger.warning(
                "namespace repository changed remote; old one kept",
                extra={"namespace": self.namespace, "remote": redact(remote), "kept_at": str(retired)},
            )
        self.path.mkdir(parents=True, exist_ok=True)
        await self.git.run("init", "--quiet", "--initial-branch", self.branch)
        self.remote = remote
        if remote is not None:
            await self.git.run("remote", "add", "--", ORIGIN, remote)

    # --- the remote ------------------------------------------------------------------------------------------

    def _unreachable(self, exc: GitFailed, doing: str) -> ServiceUnavailable:
        return ServiceUnavailable(
            f"{doing}: the git repository of namespace {self.namespace!r} ({self.shown_remote}) cannot be "
            f"reached or refused it: {exc.stderr or exc}{self.git.credentials.hint(self.remote, exc.stderr)}",
            code="git_remote_unavailable",
        )

    async def fetch(self, doing: str = "fetching failed") -> str | None:
        """The remote branch's head after fetching it (None while the remote has no such branch)."""
        try:
            await self.git.run("fetch", "--quiet", "--prune", ORIGIN)
        except GitFailed as exc:
            raise self._unreachable(exc, doing) from exc
        return await self.git.rev(f"refs/remotes/{ORIGIN}/{self.branch}")

    async def incoming(self, target: str) -> list[Incoming]:
        """The deployment files of this namespace that differ between our head and `target`."""
        head = await self.git.rev("HEAD")
        if head == target:
            return []
        prefix = f"{self.namespace}/"
        if head is None:
            listed = await self.git.run("ls-tree", "-r", "--name-only", "-z", target, "--", prefix)
            paths = [p for p in listed.split("\0") if p]
        else:
            listed = await self.git.run("diff", "--name-only", "--no-renames", "-z", head, target, "--", prefix)
            paths = [p for p in listed.split("\0") if p]
        changes = []
        for path in paths:
            name = path[len(prefix) :].removesuffix(".yaml")
            if "/" in name or not path.endswith(".yaml"):
                continue  # only `<namespace>/<name>.yaml` are deployments
            last = await self.git.run("log", "-1", "--format=%H%x00%an%x00%B", target, "--", path)
            commit, author, message = [*last.split("\0", 2), "", ""][:3]
            changes.append(
                Incoming(
                    namespace=self.namespace,
                    name=name,
                    before=await self.show(head, path) if head else None,
                    after=await self.show(target, path),
                    commit=commit.strip() or target,
                    author=author,
                    message=message.strip(),
                )
            )
        return changes

    async def take(self, target: str, publish: Publish, *, guarded: str | None = None) -> None:
        """Move the local branch to the remote's `target`, after publishing what it changes. `guarded`: a
        deployment file a change is about to write; when the remote changed it too, the remote's version is taken
        (and applied) all the same and the change is refused as a conflict, to be made again on top of it."""
        changes = await self.incoming(target)
        if changes:
            await publish(changes)
        await self.git.run("reset", "--quiet", "--hard", target)
        clash = next((c for c in changes if file_of(c.namespace, c.name) == guarded), None)
        if clash is not None:
            raise Conflict(
                f"{guarded} was changed in git by {clash.author} (commit {clash.commit[:12]}: {clash.message!r}) "
                "since Warden last synced it; that version is being applied now: make your change again on top of it",
                code="git_conflict",
            )

    # --- writing ---------------------------------------------------------------------------------------------

    async def show(self, commit: str, path: str) -> str | None:
        """`path`'s content at `commit`, or None if it does not exist there."""
        try:
            return await self.git.run("show", f"{commit}:{path}")
        except GitFailed:
            return None

    async def _write(self, path: str, content: str | None, author: Author, message: str) -> str | None:
        """Commit `content` at `path` (None deletes it); the new commit, or None when nothing changed."""
        target = self.path / path
        if content is None:
            if not target.exists():
                return None
            await self.git.run("rm", "--quiet", "--", path)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)
            await self.git.run("add", "--", path)
        if await self.git.ok("diff", "--cached", "--quiet"):
            return None
        await self.git.run("commit", "--quiet", "--no-verify", "-m", message, author=author)
        return await self.git.rev("HEAD")

    async def _undo(self, base: str | None) -> None:
        if base is not None:
            await self.git.run("reset", "--quiet", "--hard", base)
        else:  # the first commit of an empty repository
            await self.git.run("update-ref", "-d", "HEAD")
            await self.git.run("read-tree", "--empty")
            await self.git.run("clean", "-fdq")

    async def commit(
        self, name: str, content: str | None, author: Author, message: str, publish: Publish, attempts: int
    ) -> str | None:
        """Commit (and push, with a remote) one deployment file; caller holds `lock`. Returns the commit (None:
        no change). A push the remote refuses because it moved is retried on top of the remote's new head."""
        path = file_of(self.namespace, name)
        for attempt in range(1, attempts + 1):
            if self.remote is not None:
                target = await self.fetch("the change was not applied: fetching the remote failed")
                if target is not None:
                    await self.take(target, publish, guarded=path)
            base = await self.git.rev("HEAD")
            commit = await self._write(path, content, author, message)
            if commit is None or self.remote is None:
                return commit
            try:
                await self.git.run("push", "--quiet", "--porcelain", ORIGIN, f"HEAD:refs/heads/{self.branch}")
                return commit
            except GitFailed as exc:
                await self._undo(base)
                if not _behind(exc):
                    raise self._unreachable(exc, "the change was not applied: pushing it failed") from exc
                logger.info(
                    "push rejected, the remote moved; retrying on its new head",
                    extra={"namespace": self.namespace, "attempt": attempt},
                )
        raise Conflict(
            f"the git repository of namespace {self.namespace!r} kept moving: {attempts} pushes were refused "
            "because others pushed first; try again",
            code="git_conflict",
        )
