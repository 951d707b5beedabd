"""Helpers for tests that run Warden as real processes: free ports and bounded readiness waits."""

from __future__ import annotations

import socket
import subprocess
import time

import httpx


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http_ok(url: str, proc: subprocess.Popen[bytes] | None, deadline_s: float) -> httpx.Response:
    """Poll `url` until it answers 200; fail early if `proc` exits, and with the last answer at the deadline."""
    deadline = time.monotonic() + deadline_s
    last: httpx.Response | None = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"process exited early with {proc.returncode} while waiting for {url}")
        try:
            last = httpx.get(url, timeout=2)
            if last.status_code == 200:
                return last
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} not OK within {deadline_s}s; last answer: {last.text if last else None}")
