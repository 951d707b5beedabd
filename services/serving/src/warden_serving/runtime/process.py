"""One MLServer process, supervised: started on free ports, health-checked, restarted with backoff when it dies.

A replica that never becomes ready `max_start_attempts` times in a row is Failed (a broken model will not fix
itself); one that dies after having served is restarted for as long as it keeps coming back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from warden_common.process_groups import signal_group, stop_group
from warden_common.tasks import cancel_and_wait
from warden_common.urls import UnsafePath, build_path
from warden_serving.runtime.logbuffer import ProcessLog
from warden_serving.runtime.port import ReplicaState

logger = logging.getLogger(__name__)

_ERROR_LINE = re.compile(r"(Error|Exception|error:|No such file|not found)", re.IGNORECASE)
_HEALTH_POLL_S = 0.2
_STOP_GRACE_S = 10.0
"""How long MLServer gets to stop after SIGTERM before it and its workers are killed."""
PID_FILE = "mlserver.pid"


@dataclass(frozen=True)
class ProcessOptions:
    mlserver_bin: str
    start_timeout_s: float
    max_start_attempts: int
    initial_backoff_s: float
    max_backoff_s: float
    log_lines: int


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def reap_orphans(root: Path) -> None:
    """Stop MLServer process groups a previous (killed) serving process left running under `root`."""
    for pid_file in root.glob(f"**/{PID_FILE}"):
        with contextlib.suppress(ValueError, OSError):
            pid = int(pid_file.read_text())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"mlserver" in cmdline:
                logger.warning("stopping orphaned MLServer process group %s", pid)
                signal_group(pid, signal.SIGKILL)
        pid_file.unlink(missing_ok=True)


class MLServerProcess:
    def __init__(
        self,
        name: str,
        model_name: str,
        model_dir: Path,
        work_dir: Path,
        options: ProcessOptions,
        client: httpx.AsyncClient,
        on_change: Callable[[], None],
    ) -> None:
        self.name = name
        self.model_name = model_name
        self.model_dir = model_dir
        self.work_dir = work_dir
        self.options = options
        self.state = ReplicaState.STARTING
        self.port: int | None = None
        self.pid: int | None = None
        self.restarts = 0
        self.started_at: float | None = None
        self.reason: str | None = None
        self.log = ProcessLog(options.log_lines)
        self._client = client
        self._on_change = on_change
        self._proc: asyncio.subprocess.Process | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    @property
    def base_url(self) -> str | None:
        return f"http://127.0.0.1:{self.port}" if self.port else None

    @property
    def ready(self) -> bool:
        return self.state is ReplicaState.READY

    def start(self) -> None:
        self._task = asyncio.create_task(self._supervise(), name=f"mlserver-{self.name}")

    def mark_unreachable(self) -> None:
        """The data plane could not connect: stop routing here until the supervisor sees it ready again."""
        if self.state is ReplicaState.READY and self._proc is not None and self._proc.returncode is not None:
            self._set(ReplicaState.CRASHED)

    def snapshot(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "pid": self.pid,
            "port": self.port,
            "state": str(self.state),
            "restarts": self.restarts,
            "started_at": self.started_at,
            "reason": self.reason,
            "logs": [line.text for line in self.log.tail(50)],
            "followers": self.log.followers,  # readers of `resources/logs?follow=true` right now
        }

    async def stop(self) -> None:
        self._stopping = True
        await self._terminate()
        await cancel_and_wait(self._task)
        self.log.end_run()  # followers end (the task may have been cancelled before its own `end_run`)
        self._set(ReplicaState.STOPPED)

    # ----- supervision -----------------------------------------------------------------------
    def _set(self, state: ReplicaState, reason: str | None = None) -> None:
        self.state = state
        if reason is not None or state is ReplicaState.READY:
            self.reason = reason
        self._on_change()

    async def _supervise(self) -> None:
        failed_starts = 0
        backoff = self.options.initial_backoff_s
        while not self._stopping:
            ready = await self._run_once()
            if self._stopping:
                return
            if ready:
                failed_starts, backoff = 0, self.options.initial_backoff_s
            else:
                failed_starts += 1
            self.restarts += 1
            reason = self._failure_reason()
            if failed_starts >= self.options.max_start_attempts:
                logger.error("MLServer %s failed %d starts in a row: %s", self.name, failed_starts, reason)
                self._set(ReplicaState.FAILED, reason)
                return
            logger.warning("MLServer %s exited (%s); restarting in %.1fs", self.name, reason, backoff)
            self._set(ReplicaState.CRASHED if ready else ReplicaState.RESTARTING, reason)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self.options.max_backoff_s)

    async def _run_once(self) -> bool:
        """Start the process, wait until ready, then until it exits. True if it was ever ready."""
        self.port = free_port()
        env = {
            **os.environ,
            "MLSERVER_HTTP_PORT": str(self.port),
            "MLSERVER_GRPC_PORT": str(free_port()),
            "PYTHONPATH": str(self.model_dir),  # custom model classes import from their folder
        }
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self._set(ReplicaState.STARTING)
        self._proc = await asyncio.create_subprocess_exec(
            self.options.mlserver_bin, "start", str(self.model_dir),
            cwd=self.work_dir, env=env, start_new_session=True,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        self.pid = self._proc.pid
        (self.work_dir / PID_FILE).write_text(str(self.pid))
        self.started_at = time.time()
        self.log.start_run()
        reader = asyncio.create_task(self._read_output(self._proc))
        try:
            ready = await self._wait_ready(self._proc)
            if ready:
                self._set(ReplicaState.READY)
                logger.info("MLServer %s ready on port %s (pid %s)", self.name, self.port, self.pid)
            else:
                await self._terminate()
            await self._proc.wait()
        finally:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(reader, 2.0)
            self.log.end_run()
        return ready

    async def _wait_ready(self, proc: asyncio.subprocess.Process) -> bool:
        deadline = time.monotonic() + self.options.start_timeout_s
        # The model's readiness, not the server's: MLServer reports itself ready before a broken model fails to load.
        try:
            url = f"{self.base_url}" + build_path("/v2/models/{model}/ready", model=self.model_name)
        except UnsafePath as exc:  # a name no URL can carry: the model can never be called, so never ready
            self.log.append(f"[warden] {exc.message}")
            return False
        while time.monotonic() < deadline and proc.returncode is None and not self._stopping:
            with contextlib.suppress(httpx.HTTPError):
                if (await self._client.get(url, timeout=2.0)).status_code == 200:
                    return True
            await asyncio.sleep(_HEALTH_POLL_S)
        if proc.returncode is None and not self._stopping:
            self.log.append(f"[warden] not ready after {self.options.start_timeout_s:.0f}s; stopping it")
        return False

    async def _read_output(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stdout is not None
        async for raw in proc.stdout:
            line = raw.decode(errors="replace").rstrip()
            self.log.append(line)
            logger.debug("[%s] %s", self.name, line)

    def _failure_reason(self) -> str:
        code = self._proc.returncode if self._proc else None
        errors = [line for line in self.log if _ERROR_LINE.search(line) and not line.startswith("  File ")]
        last = self.log.tail(1)
        detail = errors[-1].strip() if errors else (last[0].text.strip() if last else "no output")
        return f"exit code {code}: {detail}"

    async def _terminate(self) -> None:
        proc = self._proc
        if proc is None:
            return
        # Even when MLServer itself has exited: its inference workers may not have.
        await stop_group(proc, grace_s=_STOP_GRACE_S)
