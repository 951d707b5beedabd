"""A second, minimal load client for issue 14's p99 question: is the built-in load tester's extra tail the
machine's (the client waiting for a core) or the tester's own?

Run: `uv run python bench/load_test/raw_client.py [--requests 10000] [--connections 4] [--rounds 3]`. It starts
`warden up` with the iris demo (default 70 % + canary 30 %, as `run.py`), then per round sends the Seldon payload
over `connections` raw non-blocking sockets (`loop.add_reader` + `recvmsg`, responses parsed by httptools) to the
public data-plane URL, and prints its p50/p99 timed in user space, the same from the kernel's receive timestamp
(SO_TIMESTAMPNS: the client's own scheduling left out), and request monitoring's p50/p99 per predictor.

First result (2026-12-06, 2 vCPUs, load ~1): monitor / client p99 0.98-1.01 over 2 x 10,000 requests (all
counted by the monitor), the kernel timestamp moving the client's p99 by 0.1 ms, while `run.py` (the built-in
load tester) in the same session gave 0.85-0.88: the extra tail is the tester's, not the machine's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import struct
import time

import httptools
import numpy as np
import uvloop
from run import DEPLOYMENT, PAYLOAD, iris_on_warden_up

SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
PATH = "/seldon/seldon/iris/api/v1.0/predictions"


class _Connection:
    """One keep-alive connection, one request at a time; `send` returns (user-space ns, kernel-receive ns)."""

    def __init__(self, host: str, port: int) -> None:
        self.sock = socket.create_connection((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        self.sock.setblocking(False)
        self._parser = httptools.HttpResponseParser(self)
        self._done: asyncio.Future[tuple[int, int]] | None = None
        self._received_ns = 0

    def on_message_complete(self) -> None:
        assert self._done is not None
        self._done.set_result((time.time_ns(), self._received_ns))

    def readable(self) -> None:
        data, ancillary, _, _ = self.sock.recvmsg(65536, socket.CMSG_SPACE(16))
        for level, kind, value in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                seconds, nanoseconds = struct.unpack("qq", value[:16])
                self._received_ns = seconds * 1_000_000_000 + nanoseconds
        self._parser.feed_data(data)

    async def send(self, request: bytes) -> tuple[int, int]:
        self._done = asyncio.get_running_loop().create_future()
        sent = time.time_ns()
        self.sock.send(request)
        finished, received = await self._done
        return finished - sent, received - sent


async def _load(port: int, token: str, requests: int, connections: int) -> tuple[np.ndarray, np.ndarray]:
    body = json.dumps(PAYLOAD).encode()
    head = (f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")  # fmt: skip
    request = head.encode() + body
    loop = asyncio.get_running_loop()
    pool = [_Connection("127.0.0.1", port) for _ in range(connections)]
    for connection in pool:
        loop.add_reader(connection.sock.fileno(), connection.readable)
    user: list[float] = []
    kernel: list[float] = []
    left = [requests]

    async def worker(connection: _Connection) -> None:
        while left[0] > 0:
            left[0] -= 1
            in_user, in_kernel = await connection.send(request)
            user.append(in_user / 1e6)
            kernel.append(in_kernel / 1e6)

    await asyncio.gather(*(worker(c) for c in pool))
    for connection in pool:
        loop.remove_reader(connection.sock.fileno())
        connection.sock.close()
    return np.array(user), np.array(kernel)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=10000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with iris_on_warden_up() as client:
        port = client.base_url.port or 80
        for round_ in range(args.rounds):
            time.sleep(21)  # the previous round leaves the window this one reads from (started - 10 s)
            started = time.time()
            user, kernel = uvloop.run(_load(port, client.headers["authorization"], args.requests, args.connections))
            time.sleep(24)  # the rollups are flushed every 10 s
            params = {"start": int(started) - 10, "end": int(time.time()), "step": 10}  # windows start on 10 s
            predictors = client.get(f"{DEPLOYMENT}/monitor/requests", params=params).json()["predictors"]
            monitor = {p["predictor"]: {q: round(p["total"]["latencySeconds"][q] * 1000, 2) for q in ("p50", "p99")}
                       for p in predictors}  # fmt: skip
            counted = sum(p["total"]["requests"] for p in predictors)
            print(f"round {round_}: load {os.getloadavg()[0]:.2f}; client p50/p99 user "
                  f"{np.percentile(user, 50):.2f}/{np.percentile(user, 99):.2f} ms, kernel "
                  f"{np.percentile(kernel, 50):.2f}/{np.percentile(kernel, 99):.2f} ms; monitor "
                  f"({counted:.0f} counted) {monitor}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
