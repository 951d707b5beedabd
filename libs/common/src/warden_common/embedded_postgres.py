"""The embedded PostgreSQL of standalone mode: the `pgserver` wheel's binaries, data under $WARDEN_HOME.

pgserver starts the server with `pg_ctl` as a daemon listening only on a Unix socket, so it is not a child of
our process: `stop()` must be called on shutdown or the server outlives `warden up`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


@dataclass
class EmbeddedPostgres:
    """A running embedded server; `dsn` reaches its `postgres` database over the Unix socket."""

    pgdata: Path
    dsn: str
    _server: Any

    @property
    def pid(self) -> int | None:
        pid: int | None = self._server.get_pid()
        return pid

    def stop(self) -> None:
        """Stop the server (fast shutdown, waits for it); data stays on disk."""
        self._server.cleanup()


def start_embedded_postgres(pgdata: Path) -> EmbeddedPostgres:
    """Init `pgdata` on first use, start the server if not already running, and return a handle (blocking)."""
    from pgserver.postgres_server import get_server  # a large wheel: load it only when standalone starts

    pgdata.mkdir(parents=True, exist_ok=True)
    server = get_server(pgdata, cleanup_mode="stop")
    dsn: str = server.get_uri()
    logger.info("embedded postgres ready", extra={"pgdata": str(pgdata)})
    return EmbeddedPostgres(pgdata=pgdata, dsn=dsn, _server=server)
