"""`stop_group` stops a child and the helpers it started, gracefully or not."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from warden_common.process_groups import stop_group


def _gone(pid: int, within_s: float = 5.0) -> bool:
    """The process exited (a zombie waiting for its reaper counts as exited)."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    return False


async def _shell(script: str) -> tuple[asyncio.subprocess.Process, int]:
    """`script` in a session of its own; it prints the pid of a helper it started in the background."""
    process = await asyncio.create_subprocess_exec(
        "sh", "-c", script, stdout=asyncio.subprocess.PIPE, start_new_session=True
    )
    assert process.stdout is not None
    helper = int((await process.stdout.readline()).decode())
    return process, helper


async def test_kill_at_once_takes_the_helpers_too() -> None:
    process, helper = await _shell("sleep 60 & echo $!; wait")
    await asyncio.wait_for(stop_group(process, grace_s=0), 5)
    assert process.returncode is not None
    assert _gone(helper)


async def test_a_helper_outliving_its_exited_parent_is_stopped() -> None:
    process, helper = await _shell("sleep 60 & echo $!")  # the shell exits at once, its helper keeps the pipe
    assert _gone(process.pid)
    await asyncio.wait_for(stop_group(process, grace_s=2), 5)
    assert process.returncode == 0
    assert _gone(helper)


async def test_a_child_that_ignores_sigterm_is_killed_after_the_grace() -> None:
    process, helper = await _shell("trap '' TERM; sleep 60 & echo $!; while :; do sleep 0.1; done")
    started = time.monotonic()
    await asyncio.wait_for(stop_group(process, grace_s=0.5), 5)
    assert time.monotonic() - started >= 0.5
    assert process.returncode == -9
    assert _gone(helper)


async def test_a_child_that_honours_sigterm_stops_within_the_grace() -> None:
    process, helper = await _shell("sleep 60 & echo $!; wait")
    started = time.monotonic()
    await asyncio.wait_for(stop_group(process, grace_s=10), 5)
    assert time.monotonic() - started < 5
    assert process.returncode == -15
    assert _gone(helper)
