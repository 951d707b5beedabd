"""PostgreSQL from Debian's `postgresql` package, run as a plain foreground process on a loopback TCP port.

We run the `postgres` binary directly (not the Debian cluster service, not `pg_ctl start`, which daemonises)
so the shared process manager owns it like every other server. Being root, we drop to the `postgres` OS user.
Trust auth: the server is loopback-only and exists for tests. Durability settings are off because a test
database never needs to survive a power cut, and fsync dominates the cost of the many tiny test transactions.
"""

from __future__ import annotations

import logging
import os
import pwd
import signal
import subprocess
from pathlib import Path

from warden_common.testing.servers.base import LaunchSpec, ManagedServer
from warden_common.testing.servers.config import LOOPBACK, env_path, env_port
from warden_common.testing.servers.errors import InfraError
from warden_common.testing.servers.tools import ensure_apt_packages, run_sync

logger = logging.getLogger(__name__)

_OS_USER = "postgres"
_SUPERUSER = "postgres"


class DebianPostgresServer(ManagedServer):
    name = "postgres"
    # SIGTERM is PostgreSQL's "smart" shutdown, which waits for every client to leave; SIGINT is "fast".
    stop_signal = signal.SIGINT

    def __init__(self) -> None:
        super().__init__()
        self._port = env_port("WARDEN_INFRA_POSTGRES_PORT", 55432)
        self.data_dir = env_path("WARDEN_INFRA_POSTGRES_DATA_DIR", self.state_dir / "data")
        self.socket_dir = self.state_dir / "run"

    @property
    def port(self) -> int:
        return self._port

    @property
    def endpoint(self) -> str:
        return dsn_for(f"{LOOPBACK}:{self._port}", "postgres")

    def install(self) -> None:
        if _bin_dir() is None:
            ensure_apt_packages(["postgresql"])
        if _bin_dir() is None:
            raise InfraError("Debian postgresql installed but no /usr/lib/postgresql/<version>/bin/initdb found")

    def prepare(self) -> None:
        owner = pwd.getpwnam(_OS_USER)
        # The postgres user must traverse the state dir and own the data and socket dirs.
        self.state_dir.chmod(0o755)
        for directory in (self.data_dir, self.socket_dir):
            directory.mkdir(parents=True, exist_ok=True)
            os.chown(directory, owner.pw_uid, owner.pw_gid)
        self.data_dir.chmod(0o700)
        if (self.data_dir / "PG_VERSION").exists():
            return
        logger.info("initdb %s", self.data_dir)
        argv = [
            "/usr/bin/setpriv", f"--reuid={_OS_USER}", f"--regid={_OS_USER}", "--init-groups",
            str(self._bin("initdb")), "-D", str(self.data_dir), "-U", _SUPERUSER,
            "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync",
        ]  # fmt: skip
        result = subprocess.run(argv, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise InfraError(f"initdb failed:\n{result.stdout}{result.stderr}")

    def launch_spec(self) -> LaunchSpec:
        settings = {
            "listen_addresses": LOOPBACK,
            "port": str(self._port),
            "unix_socket_directories": str(self.socket_dir),
            "max_connections": "300",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
        }
        argv = [str(self._bin("postgres")), "-D", str(self.data_dir)]
        for key, value in settings.items():
            argv += ["-c", f"{key}={value}"]
        return LaunchSpec(argv=argv, user=_OS_USER)

    def probe(self) -> bool:
        return probe_dsn(self.endpoint)

    def _bin(self, program: str) -> Path:
        bin_dir = _bin_dir()
        if bin_dir is None:
            raise InfraError("PostgreSQL is not installed; run `scripts/infra/postgres install`")
        return bin_dir / program


def _bin_dir() -> Path | None:
    """The newest Debian PostgreSQL major version's bin dir, if any is installed."""
    root = Path("/usr/lib/postgresql")
    candidates = [d / "bin" for d in root.glob("*") if (d / "bin" / "initdb").exists() and d.name.isdigit()]
    return max(candidates, key=lambda d: int(d.parent.name)) if candidates else None


def dsn_for(host_port: str, database: str) -> str:
    return f"postgresql://{_SUPERUSER}@{host_port}/{database}"


def probe_dsn(dsn: str) -> bool:
    """True if `SELECT 1` answers over `dsn`."""

    async def select_one() -> bool:
        import asyncpg

        connection = await asyncpg.connect(dsn, timeout=3)
        try:
            return bool(await connection.fetchval("SELECT 1") == 1)
        finally:
            await connection.close()

    try:
        return run_sync(select_one)
    except Exception as exc:  # refused, starting up, ... all mean "not ready yet"
        logger.debug("postgres probe failed: %s", exc)
        return False
