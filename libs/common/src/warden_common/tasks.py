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
