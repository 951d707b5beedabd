"""`warden_common.tasks`: waiting for an event in a background loop must never swallow the loop's cancellation."""

from __future__ import annotations

import asyncio

import pytest

from warden_common.tasks import wait_event


async def test_it_says_whether_the_event_was_set() -> None:
    event = asyncio.Event()
    assert await wait_event(event, 0.01) is False
    asyncio.get_running_loop().call_later(0.01, event.set)
    assert await wait_event(event, 5) is True


async def test_a_cancellation_arriving_as_the_event_is_set_stops_the_loop() -> None:
    """The race `asyncio.wait_for` loses on Python 3.11: the event is set and the task cancelled in the same turn
    of the loop. A loop that lost the cancellation would wait again, forever."""
    for _ in range(50):
        event = asyncio.Event()

        async def poll_forever(event: asyncio.Event = event) -> None:
            while True:
                await wait_event(event, 10)
                event.clear()

        task = asyncio.create_task(poll_forever())
        await asyncio.sleep(0)  # the task now waits for the event
        event.set()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(task, 2)
