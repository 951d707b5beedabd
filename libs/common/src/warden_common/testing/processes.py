"""Helpers for tests that run Warden as real processes: free ports and bounded readiness waits."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import psutil

from warden_common.testing.auth import FIRST_ADMIN_ENV


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop_process(proc: subprocess.Popen[Any], timeout_s: float = 20.0) -> None:
    """SIGTERM `proc`, SIGKILL it if it is still there after `timeout_s`; reaped either way."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


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


def processes_using(path: Path) -> list[psutil.Process]:
    """Processes whose command line mentions `path` (e.g. an embedded PostgreSQL under a $WARDEN_HOME)."""
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        with contextlib.suppress(psutil.Error):
            if str(path) in " ".join(proc.info["cmdline"] or []):
                found.append(proc)
    return found


def warden_executable() -> Path:
    """The `warden` script of the interpreter running the tests (the workspace venv)."""
    return Path(sys.executable).with_name("warden")


@contextlib.contextmanager
def running_warden_up(
    home: Path, *, ready_within_s: float = 30.0, env: Mapping[str, str] | None = None
) -> Iterator[str]:
    """Run `warden up` on a free port with `$WARDEN_HOME=home` (and `env` on top of this process's environment);
    yield its base URL once ready. Auth is on unless `env` turns it off: the first administrator is
    `warden_common.testing.auth.TEST_ADMIN` (`bearer_headers(base)` signs in as it) unless `env` names another.

    On exit it sends SIGINT (a person's Ctrl-C) and waits; whatever still runs under `home` afterwards is killed,
    so a failing test never leaves an embedded PostgreSQL behind.
    """
    port = free_port()
    command = [str(warden_executable()), "up", "--port", str(port)]
    proc = subprocess.Popen(
        command,
        env={**os.environ, **FIRST_ADMIN_ENV, **(env or {}), "WARDEN_HOME": str(home)},
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http_ok(f"{base}/health/ready", proc, ready_within_s)
        yield base
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        finally:
            for leftover in processes_using(home):
                leftover.kill()


@contextlib.asynccontextmanager
async def serving(app: Any, port: int | None = None) -> AsyncIterator[str]:
    """Run the ASGI `app` on a real loopback socket (uvicorn in this event loop, no lifespan: the caller runs it)
    until the block ends; yields its base URL. For clients that cannot use an in-process transport (other
    programs, real sockets)."""
    import asyncio

    import uvicorn

    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(20):
            while True:  # uvicorn exposes no event for this
                if server.started:
                    break
                await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@contextlib.contextmanager
def serving_process(service: str, env: Mapping[str, str], port: int, logs: Path) -> Iterator[str]:
    """`warden serve <service>` on `port` (its output in `logs/<service>.log`) until ready; stopped with SIGINT
    afterwards, and it must exit cleanly (the log's tail says why not)."""
    command = [str(warden_executable()), "serve", service, "--port", str(port)]
    with (logs / f"{service}.log").open("wb") as log:
        proc = subprocess.Popen(command, env=dict(env), stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http_ok(f"{base}/health/ready", proc, 90)
        yield base
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            assert proc.wait(timeout=60) == 0, (logs / f"{service}.log").read_text()[-3000:]
        finally:
            if proc.poll() is None:
                proc.kill()
