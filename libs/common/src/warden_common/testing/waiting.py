"""Bounded waiting for tests: poll until something holds, fail naming what did not happen."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Any


async def eventually(
    check: Callable[[], Any | Awaitable[Any]], what: str = "condition", within_s: float = 30.0, interval_s: float = 0.05
) -> Any:
    """Call `check` (plain or async) until it returns something truthy and return that; after `within_s` seconds
    raise `AssertionError` saying what was awaited."""
    try:
        async with asyncio.timeout(within_s):
            while True:
                result = check()
                if inspect.isawaitable(result):
                    result = await result
                if result:
                    return result
                await asyncio.sleep(interval_s)
    except TimeoutError:
        raise AssertionError(f"timed out after {within_s}s waiting for: {what}") from None


def wait_until(what: str, check: Callable[[], Any], within_s: float, interval_s: float = 0.5) -> Any:
    """`eventually` for synchronous tests (e2e tests polling a running `warden up`): call `check` until it returns
    something truthy and return that; after `within_s` seconds raise `AssertionError` saying what was awaited."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval_s)
    raise AssertionError(f"not within {within_s}s: {what}")
