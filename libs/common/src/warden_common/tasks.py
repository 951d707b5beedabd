"""Small helpers for the background asyncio tasks services and adapters own."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any


async def cancel_and_wait(task: asyncio.Task[Any] | None) -> None:
    """Cancel `task` (if any) and wait until it has finished; its cancellation is the expected outcome, not an error.

    Waiting matters: a task that is only cancelled may still be running its cleanup when the caller goes on to
    close what the task uses (a pool, a connection, a process).
    """
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def wait_event(event: asyncio.Event, timeout_s: float) -> bool:
    """Wait until `event` is set or `timeout_s` has passed; True if it is set.

    Not `asyncio.wait_for(event.wait(), timeout_s)`: on Python 3.11 that drops a cancellation which arrives just as
    the event is set (fixed in 3.12), and a background loop waiting that way may then never stop - the cause of a
    300 s shutdown hang in gitops-sync. `asyncio.timeout` lets the cancellation through.
    """
    try:
        async with asyncio.timeout(timeout_s):
            await event.wait()
    except TimeoutError:
        return event.is_set()
    return True
