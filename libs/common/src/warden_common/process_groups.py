"""Stopping a child process together with everything it started.

A child that runs helpers of its own (git's `git-remote-http`, ssh and `pack-objects`; MLServer's inference
workers) leaves them running when only the child is signalled, and asyncio's `wait()` also waits for every pipe
the helpers inherited. So Warden starts such children in a session of their own (`start_new_session=True`), which
makes the child's pid its process group's id, and stops the whole group.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal


def signal_group(pid: int, sig: signal.Signals) -> None:
    """Send `sig` to process group `pid`; a group that is gone already is not an error."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


async def stop_group(process: asyncio.subprocess.Process, *, grace_s: float) -> None:
    """Stop `process` (started with `start_new_session=True`) and its group, then wait for it.

    `grace_s` > 0: SIGTERM first, SIGKILL if the process has not exited after `grace_s`; 0: SIGKILL at once. The
    group is signalled even when the process itself has exited: a helper may outlive it.
    """
    if grace_s <= 0:
        signal_group(process.pid, signal.SIGKILL)
        await process.wait()
        return
    signal_group(process.pid, signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), grace_s)
    except TimeoutError:
        signal_group(process.pid, signal.SIGKILL)
        await process.wait()
