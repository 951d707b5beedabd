"""Stopping git never hangs and never leaves a process behind: a cancelled or timed-out `Git.run` kills git and the
helpers git started (real git, whose alias runs a shell that outlives git and holds its pipes, as `git-remote-http`
stuck on a silent server does), and the sync poller ends when its owner stops it even if a cancellation is lost."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import subprocess
from pathlib import Path
from typing import cast

import psutil
import pytest

from warden_common.testing.waiting import eventually
from warden_gitops_sync.git import Git, GitFailed
from warden_gitops_sync.repository import NamespaceRepository
from warden_gitops_sync.store import RepositoryStore
from warden_gitops_sync.sync import poll_forever

HANG_GUARD_S = 60  # a liveness bound only: each wait below ends in well under a second when nothing hangs


def processes_with(marker: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        if marker in " ".join(proc.info["cmdline"] or []):
            found.append(proc)
    return found


@pytest.fixture
def helper_marker() -> str:
    """A `sleep` argument no other process has: how the test finds the helpers git left (or did not leave)."""
    return f"3000.{secrets.randbelow(10**9)}"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    subprocess.run(["git", "init", "--quiet", str(tmp_path)], check=True)
    return tmp_path


def hanging_alias(marker: str) -> tuple[str, ...]:
    """git arguments running a shell (git's child) whose two `sleep`s hold git's stdout and stderr open."""
    return ("-c", f"alias.hang=!sleep {marker} & sleep {marker}", "hang")


async def started(marker: str) -> None:
    await eventually(lambda: len(processes_with(marker)) >= 3, "the shell and both sleeps running", HANG_GUARD_S, 0.02)


async def test_a_cancelled_git_is_killed_with_its_helpers_and_the_cancellation_goes_through(
    repo: Path, helper_marker: str
) -> None:
    task = asyncio.create_task(Git(repo, timeout_s=600).run(*hanging_alias(helper_marker)))
    await started(helper_marker)
    task.cancel()
    async with asyncio.timeout(HANG_GUARD_S):
        with pytest.raises(asyncio.CancelledError):
            await task
    assert processes_with(helper_marker) == []


async def test_a_git_timeout_kills_its_helpers_too_and_says_it_timed_out(repo: Path, helper_marker: str) -> None:
    async with asyncio.timeout(HANG_GUARD_S):
        with pytest.raises(GitFailed, match=r"timed out after 0\.5s"):
            await Git(repo, timeout_s=0.5).run(*hanging_alias(helper_marker))
    assert processes_with(helper_marker) == []


class StoreLosingACancellation:
    """A repository store whose listing swallows the cancellation it receives (what Python 3.11's
    `asyncio.wait_for` does when the cancellation arrives as its awaitable completes)."""

    def __init__(self) -> None:
        self.listing = asyncio.Event()

    async def discover(self) -> list[NamespaceRepository]:
        self.listing.set()
        with contextlib.suppress(asyncio.CancelledError):  # lost
            await asyncio.Event().wait()  # until cancelled
        return []


async def test_the_poller_ends_once_stopped_even_when_its_cancellation_is_lost() -> None:
    store = StoreLosingACancellation()
    stopping = asyncio.Event()
    poller = asyncio.create_task(poll_forever(cast(RepositoryStore, store), 0.001, stopping))
    await store.listing.wait()
    stopping.set()
    poller.cancel()
    async with asyncio.timeout(HANG_GUARD_S):
        await asyncio.wait({poller})
    assert poller.done() and not poller.cancelled()  # it returned: the loop saw `stopping`
