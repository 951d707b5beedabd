"""One namespace's repository against a real bare remote (real git, no server): commit, push, a remote that moved,
an unreachable one."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from warden_common.errors import Conflict, ServiceUnavailable
from warden_gitops_sync.git import Author
from warden_gitops_sync.repository import Incoming, NamespaceRepository

ALICE = Author("alice", "alice@example.com")


def git(cwd: Path, *args: str) -> str:
    env = {"GIT_CONFIG_GLOBAL": "/dev/null", "PATH": "/usr/bin:/bin:/usr/local/bin"}
    env |= {
        f"GIT_{who}_{what}": value
        for who in ("AUTHOR", "COMMITTER")
        for what, value in (("NAME", "bob"), ("EMAIL", "b@x"))
    }
    out: str = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout
    return out


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    path = tmp_path / "remote.git"
    path.mkdir()
    git(path, "init", "--quiet", "--bare", "--initial-branch", "main")
    return path


class Published:
    def __init__(self) -> None:
        self.changes: list[Incoming] = []

    async def __call__(self, changes: list[Incoming]) -> None:
        self.changes.extend(changes)


async def opened(tmp_path: Path, remote: str | None) -> NamespaceRepository:
    repo = NamespaceRepository("team", tmp_path / "state" / "team", "main", 20)
    await repo.open(remote)
    return repo


async def test_a_commit_is_pushed_and_an_unchanged_file_makes_none(tmp_path: Path, remote: Path) -> None:
    repo = await opened(tmp_path, str(remote))
    published = Published()
    commit = await repo.commit("iris", "a: 1\n", ALICE, "first", published, attempts=3)
    assert commit is not None and git(remote, "rev-parse", "main").strip() == commit
    assert await repo.commit("iris", "a: 1\n", ALICE, "again", published, attempts=3) is None
    assert git(remote, "log", "--format=%an <%ae>|%cn|%s", "main").splitlines() == [
        "alice <alice@example.com>|Warden|first"
    ]
    deleted = await repo.commit("iris", None, ALICE, "gone", published, attempts=3)
    assert deleted is not None and git(remote, "ls-tree", "-r", "--name-only", "main") == ""
    assert published.changes == []


async def test_a_moved_remote_is_published_then_rebased_on(tmp_path: Path, remote: Path) -> None:
    repo = await opened(tmp_path, str(remote))
    published = Published()
    await repo.commit("iris", "a: 1\n", ALICE, "first", published, attempts=3)
    other = tmp_path / "other"
    git(tmp_path, "clone", "--quiet", str(remote), "other")
    (other / "team" / "wine.yaml").write_text("kind: SeldonDeployment\n")
    git(other, "add", ".")
    git(other, "commit", "--quiet", "-m", "wine by bob")
    git(other, "push", "--quiet", "origin", "HEAD:main")

    await repo.commit("iris", "a: 2\n", ALICE, "second", published, attempts=3)
    assert git(remote, "log", "--format=%s", "main").splitlines() == ["second", "wine by bob", "first"]
    [change] = published.changes
    assert (change.name, change.before, change.after, change.author) == (
        "wine",
        None,
        "kind: SeldonDeployment\n",
        "bob",
    )


async def test_a_remote_change_to_the_same_file_is_taken_and_the_change_refused(tmp_path: Path, remote: Path) -> None:
    repo = await opened(tmp_path, str(remote))
    published = Published()
    await repo.commit("iris", "a: 1\n", ALICE, "first", published, attempts=3)
    other = tmp_path / "other"
    git(tmp_path, "clone", "--quiet", str(remote), "other")
    (other / "team" / "iris.yaml").write_text("a: 3\n")
    git(other, "commit", "--quiet", "-am", "bob's iris")
    git(other, "push", "--quiet", "origin", "HEAD:main")

    with pytest.raises(Conflict, match="bob"):
        await repo.commit("iris", "a: 2\n", ALICE, "second", published, attempts=3)
    assert [(c.name, c.before, c.after) for c in published.changes] == [("iris", "a: 1\n", "a: 3\n")]
    assert (repo.path / "team" / "iris.yaml").read_text() == "a: 3\n"  # the remote's version, taken
    assert git(remote, "log", "--format=%s", "main").splitlines() == ["bob's iris", "first"]


async def test_an_unreachable_remote_refuses_the_change_and_leaves_no_local_commit(tmp_path: Path) -> None:
    repo = await opened(tmp_path, str(tmp_path / "nowhere.git"))
    with pytest.raises(ServiceUnavailable, match="not applied"):
        await repo.commit("iris", "a: 1\n", ALICE, "first", Published(), attempts=3)
    assert await repo.git.rev("HEAD") is None


async def test_a_refused_push_is_undone_locally(tmp_path: Path, remote: Path) -> None:
    repo = await opened(tmp_path, str(remote))
    await repo.commit("iris", "a: 1\n", ALICE, "first", Published(), attempts=3)
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'pushes are closed' >&2\nexit 1\n")
    hook.chmod(0o755)
    with pytest.raises(ServiceUnavailable, match="pushes are closed"):
        await repo.commit("iris", "a: 2\n", ALICE, "second", Published(), attempts=3)
    assert git(repo.path, "log", "--format=%s").splitlines() == ["first"]
    assert (repo.path / "team" / "iris.yaml").read_text() == "a: 1\n"


async def test_a_local_audit_repository_commits_without_a_remote(tmp_path: Path) -> None:
    repo = await opened(tmp_path, None)
    assert await repo.commit("iris", "a: 1\n", ALICE, "first", Published(), attempts=1) is not None
    assert git(repo.path, "remote") == ""
