"""Process management shared by every infra server: detached start, health wait, stop, status.

A server runs in its own session (so its whole process group can be signalled and it survives the CLI
that started it), with a pid file and a log file in its state dir `<infra home>/<name>/`. `start` is
idempotent and serialised by a file lock, so two pytest processes asking for Kafka at once start one broker.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import signal
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import psutil

from warden_common.testing.servers.config import LOOPBACK, env_port, infra_home
from warden_common.testing.servers.errors import InfraError
from warden_common.testing.servers.tools import port_is_open

logger = logging.getLogger(__name__)

_POLL_SECONDS = 0.25
_LOG_TAIL_LINES = 40


@dataclass(frozen=True)
class LaunchSpec:
    """How to run a server in the foreground: argv[0] is resolved on PATH; `user` switches OS user via setpriv."""

    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    user: str | None = None


@dataclass(frozen=True)
class ServerStatus:
    name: str
    endpoint: str
    pid: int | None
    healthy: bool
    log_file: Path

    def describe(self) -> str:
        state = "healthy" if self.healthy else ("starting/unhealthy" if self.pid else "stopped")
        return f"{self.name}: {state} endpoint={self.endpoint} pid={self.pid or '-'} log={self.log_file}"


class ManagedServer(ABC):
    """One server process. Subclasses say how to install, configure, launch and probe it."""

    name: ClassVar[str]
    start_timeout: ClassVar[float] = 60.0
    stop_grace: ClassVar[float] = 20.0
    # SIGTERM suits most servers; PostgreSQL overrides it (SIGTERM is its "smart" shutdown that waits for clients).
    stop_signal: ClassVar[signal.Signals] = signal.SIGTERM
    host: ClassVar[str] = LOOPBACK

    def __init__(self) -> None:
        self.state_dir = infra_home() / self.name

    # ----- what subclasses provide -------------------------------------------------------------
    @property
    @abstractmethod
    def port(self) -> int | None:
        """The TCP port clients use, or None for a Unix-socket-only server."""

    @property
    @abstractmethod
    def endpoint(self) -> str:
        """What clients use: a URL, "host:port" or a DSN."""

    @abstractmethod
    def install(self) -> None:
        """Fetch whatever the server needs (apt packages, jars); cheap when already done."""

    def launch_spec(self) -> LaunchSpec:
        """The foreground command run by the default `launch`."""
        raise NotImplementedError(f"{type(self).__name__} must define launch_spec or override launch")

    @abstractmethod
    def probe(self) -> bool:
        """One quick health check with a real client; False (not an exception) when not ready yet."""

    def prepare(self) -> None:
        """Write config files / initialise data before launch. Runs on every cold start."""
        return

    # ----- files ----------------------------------------------------------------------------------
    @property
    def pid_file(self) -> Path:
        return self.state_dir / "server.pid"

    @property
    def log_file(self) -> Path:
        return self.state_dir / "server.log"

    def log_tail(self, lines: int = _LOG_TAIL_LINES) -> str:
        try:
            text = self.log_file.read_text(errors="replace")
        except FileNotFoundError:
            return f"(no log at {self.log_file})"
        return "\n".join(text.splitlines()[-lines:])

    # ----- lifecycle ------------------------------------------------------------------------------
    def is_healthy(self) -> bool:
        # A closed port answers fast; only then pay for a real client round trip.
        if self.port is not None and not port_is_open(self.host, self.port):
            return False
        return self.probe()

    def start(self, timeout: float | None = None, *, wait: bool = True) -> None:
        """Start the server unless it is already healthy, then wait until it is (unless `wait` is False)."""
        with self._lock():
            if self.is_healthy():
                logger.info("%s already running at %s", self.name, self.endpoint)
                return
            pid = self.running_pid()
            if pid is None:
                if self.port is not None and port_is_open(self.host, self.port):
                    raise InfraError(
                        f"{self.name}: port {self.host}:{self.port} is taken by a process that is not a healthy "
                        f"{self.name} started from {self.state_dir}; stop it or choose another port"
                    )
                self.install()
                self.state_dir.mkdir(parents=True, exist_ok=True)
                self.prepare()
                pid = self.launch()
                logger.info("%s started (pid %d), log %s", self.name, pid, self.log_file)
            if wait:
                self.wait(timeout)

    def wait(self, timeout: float | None = None) -> None:
        """Poll health until it passes; fail early if the process died, with the log tail either way."""
        deadline = time.monotonic() + (timeout if timeout is not None else self.start_timeout)
        while True:
            if self.is_healthy():
                logger.info("%s healthy at %s", self.name, self.endpoint)
                return
            if self.running_pid() is None:
                raise InfraError(f"{self.name} is not running. Last log lines ({self.log_file}):\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise InfraError(
                    f"{self.name} not healthy at {self.endpoint} after {timeout or self.start_timeout:.0f}s. "
                    f"Last log lines ({self.log_file}):\n{self.log_tail()}"
                )
            time.sleep(_POLL_SECONDS)

    def stop(self) -> None:
        """Signal the server's process group, escalate to SIGKILL after the grace period, wait for exit."""
        with self._lock():
            pid = self.running_pid()
            if pid is None:
                if self.is_healthy():
                    logger.warning(
                        "%s answers at %s but was not started from %s; leaving it alone",
                        self.name, self.endpoint, self.state_dir,
                    )  # fmt: skip
                else:
                    logger.info("%s not running", self.name)
                self.pid_file.unlink(missing_ok=True)
                return
            logger.info("stopping %s (pid %d)", self.name, pid)
            _signal_group(pid, self.stop_signal)
            if not _wait_gone(pid, self.stop_grace):
                logger.warning("%s ignored %s for %.0fs; killing it", self.name, self.stop_signal.name, self.stop_grace)
                _signal_group(pid, signal.SIGKILL)
                if not _wait_gone(pid, 10.0):
                    raise InfraError(f"{self.name} (pid {pid}) survived SIGKILL")
            self.pid_file.unlink(missing_ok=True)

    def status(self) -> ServerStatus:
        return ServerStatus(self.name, self.endpoint, self.running_pid(), self.is_healthy(), self.log_file)

    def running_pid(self) -> int | None:
        """The pid recorded at spawn if that very process (same start time) is still alive."""
        try:
            pid_text, created_text = self.pid_file.read_text().split()
            pid, created = int(pid_text), float(created_text)
        except (FileNotFoundError, ValueError):
            return None
        return pid if _alive(pid, created) else None

    def launch(self) -> int:
        """Start the process detached (new session, output to the log file); record and return its pid."""
        spec = self.launch_spec()
        executable = shutil.which(spec.argv[0])
        if executable is None:
            raise InfraError(f"{self.name}: executable {spec.argv[0]!r} not found")
        argv = [executable, *spec.argv[1:]]
        if spec.user is not None:
            # setpriv execs in place (unlike su/runuser), so the pid we record is the server itself.
            argv = ["/usr/bin/setpriv", f"--reuid={spec.user}", f"--regid={spec.user}", "--init-groups", *argv]
        with self.log_file.open("ab") as log:
            log.write(f"\n===== {time.strftime('%Y-%m-%d %H:%M:%S')} starting: {' '.join(argv)}\n".encode())
        file_actions = [
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, str(self.log_file), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644),
            (os.POSIX_SPAWN_DUP2, 1, 2),
        ]
        # posix_spawn (not Popen): no Popen object to warn about a still-running child, and setsid detaches it.
        pid = os.posix_spawn(argv[0], argv, {**os.environ, **spec.env}, file_actions=file_actions, setsid=True)
        self.pid_file.write_text(f"{pid} {psutil.Process(pid).create_time()}\n")
        return pid

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with (self.state_dir / ".lock").open("w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _alive(pid: int, created: float | None = None) -> bool:
    try:
        process = psutil.Process(pid)
        if created is not None and abs(process.create_time() - created) > 1.0:
            return False  # the pid was reused by an unrelated process
        return bool(process.status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False


def _signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)  # servers we launch lead their own session, so their pid is the group id
    except ProcessLookupError:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)  # a server launched by someone else (pgserver's pg_ctl) may not lead a group


def _wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reap it if this process spawned it (e.g. a pytest session)
        if not _alive(pid):
            return True
        time.sleep(_POLL_SECONDS)
    return False


class HttpServer(ManagedServer):
    """A server clients reach at `http://127.0.0.1:<port>`, the port configurable by an environment variable."""

    def __init__(self, port_variable: str, default_port: int) -> None:
        super().__init__()
        self._port = env_port(port_variable, default_port)

    @property
    def port(self) -> int:
        return self._port

    @property
    def endpoint(self) -> str:
        return f"http://{LOOPBACK}:{self._port}"
