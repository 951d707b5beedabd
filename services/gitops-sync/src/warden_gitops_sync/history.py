"""Reading a deployment's history: its commits, one commit's diff, its file at a commit, a commit undone."""

from __future__ import annotations

from typing import Any

from warden_common.errors import Conflict, NotFound
from warden_gitops_sync.documents import file_of
from warden_gitops_sync.git import GitFailed
from warden_gitops_sync.repository import NamespaceRepository

_FIELDS = ("%H", "%P", "%an", "%ae", "%aI", "%cn", "%ce", "%cI", "%B")
_RECORD_END = "\x1e"


async def commits(repo: NamespaceRepository, name: str) -> list[dict[str, Any]]:
    """Commits touching the deployment's file, newest first, as seldon-deploy-sdk's `AuditLog` reads them."""
    if await repo.git.rev("HEAD") is None:
        return []
    form = "%x00".join(_FIELDS) + "%x1e"
    text = await repo.git.run("log", f"--format={form}", "--", file_of(repo.namespace, name))
    out = []
    for record in text.split(_RECORD_END):
        fields = record.strip("\n").split("\0")
        if len(fields) != len(_FIELDS):
            continue
        hash_, parents, an, ae, at, cn, ce, ct, message = fields
        out.append(
            {
                "Hash": hash_,
                "ParentHash": parents.split(" ")[0] if parents else None,
                "AuthorName": an,
                "AuthorEmail": ae,
                "AuthorWhen": at,
                "CommitterName": cn,
                "CommitterEmail": ce,
                "CommitterWhen": ct,
                "Message": message.strip(),
            }
        )
    return out


async def resolve(repo: NamespaceRepository, name: str, hash_: str) -> str:
    """The full hash of commit `hash_`, which must have touched the deployment's file; `NotFound` otherwise."""
    full = await repo.git.rev(hash_)
    if full is not None:
        path = file_of(repo.namespace, name)
        touched = await repo.git.run("log", "--format=%H", "--", path)
        if full in touched.split():
            return full
    raise NotFound(
        f"commit {hash_!r} is not in the history of {repo.namespace}/{name}; "
        "`gitlogs` lists the commits that changed it"
    )


async def parent_of(repo: NamespaceRepository, commit: str) -> str | None:
    return await repo.git.rev(f"{commit}^")


async def diff(repo: NamespaceRepository, name: str, hash_: str) -> dict[str, Any]:
    """What commit `hash_` changed in the deployment's file, as seldon-deploy-sdk's `FileDiff` reads it."""
    commit = await resolve(repo, name, hash_)
    path = file_of(repo.namespace, name)
    parent = await parent_of(repo, commit)
    before = await repo.show(parent, path) if parent else None
    after = await repo.show(commit, path)
    if parent is None:
        patch = await repo.git.run("show", "--format=", "--no-color", commit, "--", path)
    else:
        patch = await repo.git.run("diff", "--no-color", parent, commit, "--", path)
    change = "add" if before is None else "delete" if after is None else "modify"
    return {
        "ChangeType": change,
        "CommitHash": commit,
        "PrevCommitHash": parent,
        "FileName": path,
        "From": before or "",
        "To": after or "",
        "Diff": patch,
        "GitHubUrl": None,
    }


async def content_at(repo: NamespaceRepository, name: str, hash_: str) -> tuple[str, str | None]:
    """`(commit, the deployment's file at it)`; None when the commit deleted it."""
    commit = await resolve(repo, name, hash_)
    return commit, await repo.show(commit, file_of(repo.namespace, name))


async def reverted(repo: NamespaceRepository, name: str, hash_: str) -> tuple[str, str | None]:
    """`(commit, the deployment's file with commit's change undone)`: its patch applied in reverse to the file as
    it is now (`git apply -R`); None when that deletes it. The caller holds the repository's lock.
    `Conflict` when later changes overlap what the commit changed."""
    commit = await resolve(repo, name, hash_)
    path = file_of(repo.namespace, name)
    parent = await parent_of(repo, commit)
    if parent is None:
        patch = await repo.git.run("show", "--format=", "--binary", commit, "--", path)
    else:
        patch = await repo.git.run("diff", "--binary", parent, commit, "--", path)
    current = await repo.show("HEAD", path)
    after_commit = await repo.show(commit, path)
    if current == after_commit:  # nothing changed it since: undoing it is its parent's version
        return commit, await repo.show(parent, path) if parent else None
    # The caller holds the repository's lock: the reverse patch goes into the index only (the working tree and the
    # branch are untouched), the result is read from there, and the index is reset to HEAD again.
    try:
        await repo.git.run("apply", "-R", "--cached", "-", stdin=patch.encode())
    except GitFailed as exc:
        raise Conflict(
            f"commit {commit[:12]} cannot be reverted: later changes to {path} overlap it ({exc.stderr}); "
            "restore an earlier version with gitrestore instead",
            code="git_conflict",
        ) from None
    try:
        return commit, await repo.show("", path)  # `:path`, the index's version
    finally:
        await repo.git.run("read-tree", "HEAD")
