"""A small keep-alive HTTP/1.1 client for the one call on the data plane's hot path: POST a body to a local MLServer.

Why not httpx: the proxy's added latency is mostly CPU, and an httpx call costs ~1.6 ms of CPU on the 2-core
reference machine (request/response models, URL parsing, anyio locks) where this costs a fraction of that. It
only does what the loopback call needs: pooled connections per host:port, one request at a time per connection,
responses parsed by httptools (the C parser uvicorn uses). Everything else (health checks, object stores) keeps
using httpx.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import httptools

logger = logging.getLogger(__name__)


class UpstreamUnreachable(ConnectionError):
    """No connection could be made, or it broke before a complete response arrived."""


@dataclass(frozen=True)
class UpstreamResponse:
    status: int
    body: bytes
    content_type: str


class _Connection(asyncio.Protocol):
    def __init__(self) -> None:
        self._transport: asyncio.Transport | None = None
        self._parser = httptools.HttpResponseParser(self)
        self._waiter: asyncio.Future[UpstreamResponse] | None = None
        self._body = bytearray()
        self._content_type = b""
        self._status = 0
        self.keep_alive = True
        self.closed = False
        self.used = False

    # --- asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

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
        if name.lower() == b"content-type":
            self._content_type = value

    def on_headers_complete(self) -> None:
        self._status = self._parser.get_status_code()
        self.keep_alive = self._parser.should_keep_alive()

    def on_body(self, body: bytes) -> None:
        self._body += body

    def on_message_complete(self) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(UpstreamResponse(self._status, bytes(self._body), self._content_type.decode("latin-1")))

    # --- use
    async def send(self, request: bytes) -> UpstreamResponse:
        assert self._transport is not None
        self._body, self._content_type, self._status, self.used = bytearray(), b"", 0, True
        self._waiter = asyncio.get_running_loop().create_future()
        self._transport.write(request)
        return await self._waiter

    def _fail(self, exc: Exception) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)

    def close(self) -> None:
        self.closed = True
        if self._transport is not None:
            self._transport.close()


class Http1Pool:
    def __init__(self, max_idle_per_host: int = 64) -> None:
        self._idle: dict[tuple[str, int], list[_Connection]] = {}
        self._max_idle = max_idle_per_host

    async def post(self, host: str, port: int, path: str, body: bytes, timeout_s: float) -> UpstreamResponse:
        """POST `body` (JSON); `UpstreamUnreachable` if the server cannot be reached, `TimeoutError` if slow."""
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode("latin-1")
        request = head + body
        async with asyncio.timeout(timeout_s):
            while True:
                connection = await self._acquire(host, port)
                reused = connection.used
                try:
                    response = await connection.send(request)
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
            _, protocol = await loop.create_connection(_Connection, host, port)
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
