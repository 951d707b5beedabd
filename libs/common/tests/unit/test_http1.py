"""The data plane's keep-alive HTTP/1.1 client against a real socket server written for the test."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest

from warden_common.http1 import Http1Pool, UpstreamUnreachable
from warden_common.testing.processes import free_port

Handler = Callable[[bytes, int], bytes | None]
"""(request body, request number on this connection) -> raw response bytes; None = close without answering."""


def answer(body: bytes, status: str = "200 OK", extra: str = "") -> bytes:
    head = f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n{extra}\r\n"
    return head.encode() + body


@asynccontextmanager
async def server(handler: Handler, heads: list[bytes] | None = None) -> AsyncIterator[tuple[int, list[int]]]:
    """A server on a free port; yields (port, connections accepted so far as a one-element counter).
    The request heads it receives are appended to `heads` when given."""
    accepted = [0]

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted[0] += 1
        number = 0
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                if heads is not None:
                    heads.append(head)
                lengths = [
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length")
                ]
                body = await reader.readexactly(lengths[0]) if lengths else b""
                number += 1
                reply = handler(body, number)
                if reply is None:
                    break
                writer.write(reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()

    port = free_port()
    listener = await asyncio.start_server(serve, "127.0.0.1", port)
    try:
        yield port, accepted
    finally:
        listener.close()
        await listener.wait_closed()


async def test_connections_are_kept_alive_and_reused() -> None:
    pool = Http1Pool()
    async with server(lambda body, n: answer(b'{"n":%d,"echo":%s}' % (n, body))) as (port, accepted):
        first = await pool.post("127.0.0.1", port, "/v2/models/m/infer", b'"a"', 5)
        second = await pool.post("127.0.0.1", port, "/v2/models/m/infer", b'"b"', 5)
    assert (first.status, first.body, first.content_type) == (200, b'{"n":1,"echo":"a"}', "application/json")
    assert second.body == b'{"n":2,"echo":"b"}' and accepted == [1]
    pool.close()


async def test_the_connection_times_a_call_from_its_write_to_its_last_byte() -> None:
    def slow(body: bytes, n: int) -> bytes:
        time.sleep(0.05)  # the answer leaves 50 ms after the request arrived
        return answer(b"{}")

    pool = Http1Pool()
    async with server(slow) as (port, _):
        began = time.perf_counter_ns()
        response = await pool.post("127.0.0.1", port, "/", b"{}", 5)
        wall = time.perf_counter_ns() - began
    assert 50_000_000 <= response.elapsed_ns <= wall
    pool.close()


async def test_chunked_and_error_answers_are_read_whole() -> None:
    head = b"HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunked = head + b'5\r\n{"a":\r\n2\r\n1}\r\n0\r\n\r\n'
    pool = Http1Pool()
    async with server(lambda body, n: chunked) as (port, _):
        response = await pool.post("127.0.0.1", port, "/", b"{}", 5)
    assert (response.status, response.body) == (500, b'{"a":1}')
    pool.close()


async def test_a_connection_the_server_closed_meanwhile_is_replaced() -> None:
    pool = Http1Pool()
    # The server answers once per connection and then drops it without saying so (no `Connection: close`).
    async with server(lambda body, n: answer(b"{}") if n == 1 else None) as (port, accepted):
        for _ in range(3):
            assert (await pool.post("127.0.0.1", port, "/", b"{}", 5)).status == 200
    assert accepted == [3]
    pool.close()


async def test_connection_close_is_honoured() -> None:
    pool = Http1Pool()
    async with server(lambda body, n: answer(b"{}", extra="Connection: close\r\n")) as (port, accepted):
        for _ in range(2):
            assert (await pool.post("127.0.0.1", port, "/", b"{}", 5)).status == 200
    assert accepted == [2]
    pool.close()


async def test_unreachable_and_slow_servers_are_told_apart() -> None:
    pool = Http1Pool()
    with pytest.raises(UpstreamUnreachable, match="cannot connect"):
        await pool.post("127.0.0.1", free_port(), "/", b"{}", 5)
    async with server(lambda body, n: None) as (port, _):
        with pytest.raises(UpstreamUnreachable, match="closed before the response"):
            await pool.post("127.0.0.1", port, "/", b"{}", 5)

    async def never(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()

    port = free_port()
    listener = await asyncio.start_server(never, "127.0.0.1", port)
    try:
        with pytest.raises(TimeoutError):
            await pool.post("127.0.0.1", port, "/", b"{}", 0.3)
    finally:
        listener.close()
        await listener.wait_closed()
    pool.close()


async def test_any_method_with_headers_and_only_the_asked_response_headers_kept() -> None:
    pool = Http1Pool(keep_headers=("Content-Type", "Seldon-Puid"))
    heads: list[bytes] = []
    reply = answer(b'{"ready":true}', extra="Seldon-Puid: p-1\r\nX-Other: no\r\n")
    async with server(lambda body, n: reply, heads) as (port, accepted):
        got = await pool.request("GET", "127.0.0.1", port, "/v2/health/ready", b"", 5, [("Seldon-Puid", "p-1")])
        posted = await pool.request("POST", "127.0.0.1", port, "/x", b"{}", 5, [("Content-Type", "text/plain")])
    assert (got.status, got.body) == (200, b'{"ready":true}')
    assert got.headers == {"content-type": "application/json", "seldon-puid": "p-1"}
    assert heads[0].startswith(b"GET /v2/health/ready HTTP/1.1\r\n")
    assert b"Seldon-Puid: p-1\r\n" in heads[0] and b"Content-Length" not in heads[0]
    assert b"Content-Type: text/plain\r\nContent-Length: 2\r\n" in heads[1]
    assert posted.content_type == "application/json" and accepted == [1]
    pool.close()


@pytest.mark.parametrize(
    "method,path,headers",
    [
        ("POST", "/a b", ()),
        ("POST", "/a\r\nX-Injected: 1", ()),
        ("POST", "relative", ()),
        ("GE T", "/", ()),
        ("HEAD", "/", ()),
        ("POST", "/", (("Seldon-Puid", "x\r\nX-Injected: 1"),)),
        ("POST", "/", (("Bad Name", "v"),)),
    ],
)
async def test_nothing_can_break_out_of_the_request_line_or_a_header(
    method: str, path: str, headers: tuple[tuple[str, str], ...]
) -> None:
    pool = Http1Pool()
    with pytest.raises(ValueError):
        await pool.request(method, "127.0.0.1", free_port(), path, b"{}", 5, headers)


def test_works_on_uvloop_the_event_loop_of_warden_serve() -> None:
    """uvloop's transports only implement asyncio.Transport's interface (a subclass check once broke every call)."""
    import uvloop

    async def round_trip() -> bytes:
        pool = Http1Pool()
        async with server(lambda body, n: answer(body)) as (port, _):
            response = await pool.post("127.0.0.1", port, "/", b'{"on":"uvloop"}', 5)
        pool.close()
        return response.body

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        assert runner.run(round_trip()) == b'{"on":"uvloop"}'
