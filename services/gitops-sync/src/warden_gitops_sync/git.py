"""The git command line, run as a subprocess with an argument list (never a shell string).

Every call has a timeout and a clean environment: no terminal prompt (a remote asking for a password fails at
once instead of hanging), no user or system git configuration leaking in, a fixed committer. Credentials come
from the service's settings (`credentials.GitCredentials`: an SSH key, an https token scoped to a URL prefix), else
the remote URL (`https://token@host/...`) or the process's SSH agent / `GIT_SSH_COMMAND`. What git prints is
stripped of the token before it goes into an error.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path

from warden_common.git_remotes import ALLOWED_PROTOCOLS
from warden_common.process_groups import stop_group
from warden_gitops_sync.credentials import GitCredentials, ssh_command

COMMITTER_NAME = "Warden"
COMMITTER_EMAIL = "warden@warden.invalid"

_BASE_ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_COMMITTER_NAME": COMMITTER_NAME,
    "GIT_COMMITTER_EMAIL": COMMITTER_EMAIL,
    "LC_ALL": "C",
    "GIT_ALLOW_PROTOCOL": ALLOWED_PROTOCOLS,
}
_PASSED_THROUGH = ("PATH", "HOME", "SSH_AUTH_SOCK", "GIT_SSH_COMMAND", "TMPDIR")


class GitFailed(Exception):
    """A git command exited non-zero (or timed out); `stderr` says why."""

    def __init__(self, args: list[str], returncode: int, stderr: str, stdout: str = "") -> None:
        super().__init__(f"git {' '.join(args)} failed ({returncode}): {stderr.strip()}")
        self.args_ = args
        self.returncode = returncode
        self.stderr = stderr.strip()
        self.stdout = stdout


@dataclass(frozen=True)
class Author:
    name: str
    email: str


def author_of(actor: str) -> Author:
    """The git identity of a Warden user: an e-mail-like name is its own address."""
    name = actor.strip() or "anonymous"
    email = name if "@" in name else f"{name}@warden.invalid"
    return Author(name=name, email=email)


async def _reap(process: asyncio.subprocess.Process) -> None:
    """Kill git and everything it started, then wait for it.

    git runs helpers of its own (`git-remote-http`, ssh, `fetch-pack`, `pack-objects`, an alias's shell) that
    inherit its stdout and stderr; a helper stuck on a silent server would otherwise hold up the wait for good.
    """
    await stop_group(process, grace_s=0)


class Git:
    """One working tree."""

    def __init__(self, workdir: Path, timeout_s: float = 60.0, credentials: GitCredentials | None = None) -> None:
        self.workdir = workdir
        self._timeout_s = timeout_s
        self.credentials = credentials or GitCredentials()

    def _env(self, author: Author | None) -> dict[str, str]:
        env = {key: os.environ[key] for key in _PASSED_THROUGH if key in os.environ}
        env.update(_BASE_ENV)
        env["GIT_CONFIG_GLOBAL"] = os.devnull
        # Never wait on a prompt or a dead host: ssh fails fast unless the operator chose its own command.
        env.setdefault("GIT_SSH_COMMAND", ssh_command(None, None))
        env.update(self.credentials.env)
        if author is not None:
            env.update(GIT_AUTHOR_NAME=author.name, GIT_AUTHOR_EMAIL=author.email)
        return env

    async def run(
        self, *args: str, author: Author | None = None, check: bool = True, stdin: bytes | None = None
    ) -> str:
        """stdout of `git <args>`; `GitFailed` on a non-zero exit unless `check=False` (then stdout anyway)."""
        argv = list(args)
        process = await asyncio.create_subprocess_exec(
            "git",
            *argv,
            cwd=self.workdir,
            env=self._env(author),
            stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,  # its own process group, so `_reap` reaches the helpers it starts too
        )
        try:
            # Not `asyncio.wait_for`: on Python 3.11 it swallows a cancellation that arrives as git finishes, and a
            # shutdown cancelling the sync poller then waits on a poller that goes on polling.
            async with asyncio.timeout(self._timeout_s):
                out, err = await process.communicate(stdin)
        except TimeoutError:
            await _reap(process)
            raise GitFailed(argv, -1, f"timed out after {self._timeout_s:g}s") from None
        except asyncio.CancelledError:  # shutting down: never leave a git process behind
            await asyncio.shield(_reap(process))
            raise
        if check and process.returncode != 0:
            redact = self.credentials.redact
            raise GitFailed(
                [redact(arg) for arg in argv],
                process.returncode or -1,
                redact(err.decode(errors="replace")),
                redact(out.decode(errors="replace")),
            )
        return out.decode(errors="replace")

    async def ok(self, *args: str) -> bool:
        """True if `git <args>` exits 0."""
        try:
            await self.run(*args)
        except GitFailed:
            return False
        return True

    async def rev(self, ref: str) -> str | None:
        """The commit `ref` names, or None if it names none."""
        try:
            return (await self.run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")).strip() or None
        except GitFailed:
            return None
