"""PostgreSQL from the `pgserver` wheel (what standalone `warden up` embeds): Unix socket only, no TCP port.

pgserver runs `pg_ctl start`, which daemonises the postmaster, so we do not spawn it ourselves: `launch`
asks pgserver to init/start it and leave it running (`cleanup_mode=None`), and the pid comes from
`postmaster.pid`. Running as root, pgserver executes the server as its own `pgserver` OS user.
"""

from __future__ import annotations

import logging
import signal
from pathlib import Path
from typing import Any

from warden_common.testing.servers.base import ManagedServer
from warden_common.testing.servers.config import env_path
from warden_common.testing.servers.errors import InfraError
from warden_common.testing.servers.postgres import probe_dsn

logger = logging.getLogger(__name__)


class EmbeddedPostgresServer(ManagedServer):
    name = "postgres-embedded"
    stop_signal = signal.SIGINT  # fast shutdown, as for the Debian server

    def __init__(self) -> None:
        super().__init__()
        # Keep the path short: pgserver puts the Unix socket in pgdata when the path fits the 107-byte limit.
        self.pgdata = env_path("WARDEN_INFRA_POSTGRES_EMBEDDED_DATA_DIR", self.state_dir / "pgdata")

    @property
    def port(self) -> None:
        return None

    @property
    def log_file(self) -> Path:
        return self.pgdata / "log"

    @property
    def endpoint(self) -> str:
        info = self._postmaster()
        if info is not None and info.is_running():
            uri: str = info.get_uri()
            return uri
        return f"postgresql://postgres:@/postgres?host={self.pgdata}"

    def install(self) -> None:
        import pgserver  # noqa: F401  (the wheel ships the binaries; importing proves it is installed)

    def launch(self) -> int:
        from pgserver.postgres_server import get_server

        server = get_server(self.pgdata, cleanup_mode=None)  # None: keep running after this process exits
        pid: int | None = server.get_pid()
        if pid is None:
            raise InfraError(f"pgserver reported no postmaster for {self.pgdata}. Log:\n{self.log_tail()}")
        return pid

    def running_pid(self) -> int | None:
        info = self._postmaster()
        if info is None or not info.is_running():
            return None
        pid: int = info.pid
        return pid

    def probe(self) -> bool:
        return self.running_pid() is not None and probe_dsn(self.endpoint)

    def _postmaster(self) -> Any:
        from pgserver.utils import PostmasterInfo

        return PostmasterInfo.read_from_pgdata(self.pgdata)
