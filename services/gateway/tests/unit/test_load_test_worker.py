"""The load generator's own process: it runs the plan it reads on stdin and reports on stdout; closing its stdin
(what happens when the gateway stops the job, or dies) stops it with its progress reported."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from typing import Any

import pytest

from warden_gateway.loadtests.generator import TRANSPORT_ERROR, UNKNOWN_ENDPOINT, LoadPlan, run_load
from warden_gateway.loadtests.worker import decode_plan, encode_plan

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Warden-Endpoint: default\r\n\r\n{}"


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A minimal keep-alive HTTP/1.1 server: 200 `{}` to every request."""
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            sizes = [line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")]
            length = int(sizes[0]) if sizes else 0
            await reader.readexactly(length)
            writer.write(ANSWER)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()


@pytest.fixture
async def target() -> AsyncIterator[str]:
    server = await asyncio.start_server(_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/seldon/ns/iris/api/v1.0/predictions"
    finally:
        server.close()


def plan(url: str, *, requests: int | None = None, duration_s: float | None = None) -> LoadPlan:
    return LoadPlan(url=url, payload=b'{"data":{"ndarray":[[1,2]]}}', connections=2, requests=requests,
                    duration_s=duration_s, headers={"authorization": "Bearer secret"})  # fmt: skip


async def start_worker(load: LoadPlan) -> asyncio.subprocess.Process:
    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "warden_gateway.loadtests.worker",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert worker.stdin is not None
    worker.stdin.write(encode_plan(load, "job-1", progress_s=0.2))
    await worker.stdin.drain()
    return worker


async def lines(worker: asyncio.subprocess.Process) -> list[dict[str, Any]]:
    assert worker.stdout is not None
    return [json.loads(line) async for line in worker.stdout]


def test_the_plan_survives_the_trip_through_stdin() -> None:
    sent = plan("http://x/y", requests=5)
    assert decode_plan(encode_plan(sent, "job-1", 2.0)) == (sent, "job-1", 2.0)


async def test_a_request_count_plan_runs_to_its_final_summary(target: str) -> None:
    worker = await start_worker(plan(target, requests=40))
    reported = await asyncio.wait_for(lines(worker), timeout=60)
    assert await worker.wait() == 0
    assert "progress" in reported[0]  # the start line: the gateway marks the job running on it
    final = reported[-1]["final"]
    assert final["requests"] == 40 and final["statusCodes"] == {"200": 40}
    assert final["endpoints"]["default"]["requests"] == 40


async def test_closing_its_stdin_stops_it_with_its_progress(target: str) -> None:
    worker = await start_worker(plan(target, duration_s=3600))
    assert worker.stdout is not None and worker.stdin is not None
    first = json.loads(await asyncio.wait_for(worker.stdout.readline(), timeout=60))
    assert "progress" in first
    await asyncio.sleep(0.5)  # let it send some load
    worker.stdin.close()  # the gateway stopping the job, or dying
    rest = await asyncio.wait_for(lines(worker), timeout=60)
    assert await asyncio.wait_for(worker.wait(), timeout=60) == 0
    assert rest[-1]["stopped"]["requests"] > 0 and "final" not in rest[-1]


async def test_a_refused_connection_counts_as_a_transport_error_not_a_crash() -> None:
    server = await asyncio.start_server(_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()  # nothing listens on the port now
    run = await run_load(plan(f"http://127.0.0.1:{port}/seldon/ns/iris/api/v1.0/predictions", requests=3), "job-1")
    summary = run.summary()
    assert summary["statusCodes"] == {TRANSPORT_ERROR: 3}
    assert summary["endpoints"][UNKNOWN_ENDPOINT]["failed"] == 3
