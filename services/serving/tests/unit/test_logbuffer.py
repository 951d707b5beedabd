"""The replica output buffer: tail and since, followers that get new lines, end with the process, and leave."""

from __future__ import annotations

import asyncio

import pytest

from warden_common.errors import NotFound, Unprocessable
from warden_serving.api.logs import find_log, format_line
from warden_serving.runtime.logbuffer import Gap, LogLine, ProcessLog


def texts(lines: list[LogLine]) -> list[str]:
    return [line.text for line in lines]


def test_tail_keeps_the_last_lines_and_since_cuts_older_ones() -> None:
    log = ProcessLog(max_lines=3)
    for i in range(5):
        log.append(f"line {i}")
    assert texts(log.tail()) == ["line 2", "line 3", "line 4"]  # bounded: the first two left
    assert texts(log.tail(2)) == ["line 3", "line 4"]
    newest = log.tail(1)[0].at
    assert texts(log.tail(since=newest + 1)) == []
    assert texts(log.tail(since=newest)) == ["line 4"]


def test_timestamps_are_rfc3339_utc() -> None:
    line = LogLine(0, 1_780_000_000.25, "hello")
    assert format_line(line, timestamps=False) == "hello\n"
    assert format_line(line, timestamps=True) == "2026-05-28T20:26:40.250000Z hello\n"


async def test_a_follower_gets_lines_written_after_it_started_and_ends_with_the_process() -> None:
    log = ProcessLog(max_lines=100)
    log.start_run()
    log.append("before")
    got: list[str] = []

    async def follow() -> None:
        async for batch in log.follow(log.last_seq):
            assert not isinstance(batch, Gap)
            got.extend(texts(batch))

    task = asyncio.create_task(follow())
    await asyncio.sleep(0.01)
    assert log.followers == 1
    log.append("after 1")
    log.append("after 2")
    await asyncio.sleep(0.01)
    assert got == ["after 1", "after 2"]
    log.append("last words")
    log.end_run()  # the process exited: the follower ends, with every line written before
    await asyncio.wait_for(task, 1)
    assert got == ["after 1", "after 2", "last words"]
    assert log.followers == 0


async def test_following_a_process_that_is_not_running_ends_at_once() -> None:
    log = ProcessLog(max_lines=10)
    log.append("left over")
    batches = [b async for b in log.follow(-1)]
    assert batches == [log.tail()]


async def test_a_follower_that_is_cancelled_is_no_longer_counted() -> None:
    log = ProcessLog(max_lines=10)
    log.start_run()

    async def first_batch() -> list[LogLine] | Gap:
        return await anext(aiter(log.follow(log.last_seq)))

    task = asyncio.create_task(first_batch())
    await asyncio.sleep(0.01)
    assert log.followers == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert log.followers == 0


async def test_a_slow_follower_is_told_how_many_lines_it_lost() -> None:
    log = ProcessLog(max_lines=2)
    log.start_run()
    follower = aiter(log.follow(log.last_seq))
    for i in range(5):
        log.append(f"line {i}")
    assert await anext(follower) == Gap(3)
    assert texts(await anext(follower)) == ["line 3", "line 4"]  # type: ignore[arg-type]
    await follower.aclose()  # type: ignore[attr-defined]
    assert log.followers == 0


def test_processes_are_looked_up_among_the_deployments_own() -> None:
    a, b = ProcessLog(10), ProcessLog(10)
    assert find_log({"p-0": a}, "ns", "d", None) is a  # one process: it need not be named
    assert find_log({"p-0": a, "p-1": b}, "ns", "d", "p-1") is b
    with pytest.raises(NotFound, match=r"no process '../p-0'; its processes: p-0, p-1"):
        find_log({"p-0": a, "p-1": b}, "ns", "d", "../p-0")
    with pytest.raises(Unprocessable, match="2 processes, say which: p-0, p-1"):
        find_log({"p-0": a, "p-1": b}, "ns", "d", None)
    with pytest.raises(NotFound, match="no running resources"):
        find_log(None, "ns", "d", "p-0")
