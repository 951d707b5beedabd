"""A small keep-alive HTTP/1.1 client for the data plane's hot-path hops (gateway -> serving -> MLServer).

Why not httpx: a proxy's added latency is mostly CPU, and an httpx call costs ~1.6 ms of CPU on the 2-core
reference machine (request/response models, URL parsing, anyio locks) where this costs a fraction of that. It
only does what those loopback/in-cluster calls need: pooled connections per host:port, one request at a time per
connection, responses parsed by httptools (the C parser uvicorn uses), only the response headers the caller asked
for kept. Bodies are bounded by the callers' size limits, so they are read whole rather than streamed (but never
copied more than once). Everything else (health checks, object stores, the public API) keeps using httpx.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import cast

import httptools

logger = logging.getLogger(__name__)

_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
"""An HTTP method or header name (RFC 9110 token)."""
_TARGET = re.compile(r"^/[\x21-\x7e]*$")
"""An origin-form request target: printable ASCII without spaces, so nothing can break the request line."""
_FIELD_VALUE = re.compile(r"^[\t\x20-\x7e\x80-\xff]*$")
"""A header value without CR, LF or other control characters (no header injection)."""


class UpstreamUnreachable(ConnectionError):
    """No connection could be made, or it broke before a complete response arrived."""


@dataclass(frozen=True)
class UpstreamResponse:
    status: int
    body: bytes
    headers: dict[str, str]
    """The response headers the pool keeps (lower-case names), e.g. content-type."""
    elapsed_ns: int = 0
    """From the request handed to the socket to the response's last byte parsed, timed in the connection's own
    callbacks (as wrk does): a load tester's latency without its coroutines' wait for their turn on the loop."""

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


class _Connection(asyncio.Protocol):
    def __init__(self, keep_headers: frozenset[bytes]) -> None:
        self._transport: asyncio.Transport | None = None
        self._parser = httptools.HttpResponseParser(self)
        self._keep = keep_headers
        self._waiter: asyncio.Future[UpstreamResponse] | None = None
        self._chunks: list[bytes] = []
        self._headers: dict[str, str] = {}
        self._status = 0
        self._sent_ns = 0
        self.keep_alive = True
        self.closed = False
        self.used = False

    # --- asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A stream transport, but not necessarily an `asyncio.Transport` subclass: uvloop's (the event loop of
        # `warden serve`) only implements the interface.
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(UpstreamUnreachable(f"invalid HTTP response: {exc}"))
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._fail(UpstreamUnreachable(f"connection closed before the response was complete ({exc or 'EOF'})"))

    # --- httptools callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        lowered = name.lower()
        if lowered in self._keep:
            self._headers[lowered.decode("latin-1")] = value.decode("latin-1")

    def on_headers_complete(self) -> None:
        self._status = self._parser.get_status_code()
        self.keep_alive = self._parser.should_keep_alive()

    def on_body(self, body: bytes) -> None:
        self._chunks.append(body)

    def on_message_complete(self) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            # A body in one chunk (the usual case) is joined without a copy.
            elapsed = time.perf_counter_ns() - self._sent_ns
            waiter.set_result(UpstreamResponse(self._status, b"".join(self._chunks), self._headers, elapsed))

    # --- use
    async def send(self, head: bytes, body: bytes) -> UpstreamResponse:
        assert self._transport is not None
        self._chunks, self._headers, self._status, self.used = [], {}, 0, True
        self._waiter = asyncio.get_running_loop().create_future()
        self._sent_ns = time.perf_counter_ns()
        self._transport.writelines((head, body))
        return await self._waiter

    def _fail(self, exc: Exception) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)

    def close(self) -> None:
        self.closed = True
        if self._transport is not None:
            self._transport.close()


def _request_head(
    method: str, host: str, port: int, path: str, body: bytes, headers: Sequence[tuple[str, str]]
) -> bytes:
    if not _TOKEN.match(method) or method == "HEAD":  # a HEAD answer has no body; the parser cannot know that
        raise ValueError(f"unsupported HTTP method {method!r}")
    if not _TARGET.match(path):
        raise ValueError(f"request path {path!r} must start with '/' and be printable ASCII without spaces")
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}"]
    for name, value in headers:
        if not _TOKEN.match(name) or not _FIELD_VALUE.match(value):
            raise ValueError(f"invalid request header {name!r}")
        lines.append(f"{name}: {value}")
    if body or method not in ("GET", "DELETE"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class Http1Pool:
    def __init__(self, max_idle_per_host: int = 64, keep_headers: Iterable[str] = ("content-type",)) -> None:
        self._idle: dict[tuple[str, int], list[_Connection]] = {}
        self._max_idle = max_idle_per_host
        self._keep = frozenset(name.lower().encode("latin-1") for name in keep_headers)

    async def post(self, host: str, port: int, path: str, body: bytes, timeout_s: float) -> UpstreamResponse:
        """POST `body` (JSON); `UpstreamUnreachable` if the server cannot be reached, `TimeoutError` if slow."""
        return await self.request("POST", host, port, path, body, timeout_s, [("Content-Type", "application/json")])

    async def request(
        self,
        method: str,
        host: str,
        port: int,
        path: str,
        body: bytes,
        timeout_s: float,
        headers: Sequence[tuple[str, str]] = (),
    ) -> UpstreamResponse:
        """Send one request (Content-Length is added); `ValueError` for a method, path or header that would not
        be a well-formed request, `UpstreamUnreachable` if the server cannot be reached, `TimeoutError` if slow."""
        head = _request_head(method, host, port, path, body, headers)
        async with asyncio.timeout(timeout_s):
            while True:
                connection = await self._acquire(host, port)
                reused = connection.used
                try:
                    response = await connection.send(head, body)
                except UpstreamUnreachable:
                    connection.close()
                    if reused:  # the server closed an idle keep-alive connection as we sent: a fresh one is fine
                        continue
                    raise
                except BaseException:
                    connection.close()  # cancelled or timed out mid-response: the connection is out of sync
                    raise
                self._release(host, port, connection)
                return response

    async def _acquire(self, host: str, port: int) -> _Connection:
        idle = self._idle.get((host, port))
        while idle:
            connection = idle.pop()
            if not connection.closed:
                return connection
        loop = asyncio.get_running_loop()
        try:
            _, protocol = await loop.create_connection(lambda: _Connection(self._keep), host, port)
        except OSError as exc:
            raise UpstreamUnreachable(f"cannot connect to {host}:{port}: {exc}") from exc
        return protocol

    def _release(self, host: str, port: int, connection: _Connection) -> None:
        idle = self._idle.setdefault((host, port), [])
        if connection.closed or not connection.keep_alive or len(idle) >= self._max_idle:
            connection.close()
        else:
            idle.append(connection)

    def close(self) -> None:
        for idle in self._idle.values():
            for connection in idle:
                connection.close()
        self._idle.clear()
