"""The embedded PostgreSQL of standalone mode: the `pgserver` wheel's binaries, data under $WARDEN_HOME.

pgserver starts the server with `pg_ctl` as a daemon listening only on a Unix socket, so it is not a child of
our process: `stop()` must be called on shutdown or the server outlives `warden up`.

pgserver counts the processes using a server in `<pgdata>/.handle_pids.json` and stops the server when the
last one lets go. A `warden up` killed with SIGKILL never lets go, so its pid stays in that list and the next
`warden up` - which adopts the still-running server - would never be the last one and leave the server running
when it stops. Pids of processes that no longer exist are therefore dropped from the list before attaching.
"""

from __future__ import annotations

import json
import logging
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

logger = logging.getLogger(__name__)

HANDLE_PIDS_FILE = ".handle_pids.json"
"""pgserver's list of the processes attached to a server (inside its pgdata)."""


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
        """Stop the server (fast shutdown, waits for it) unless another live process still uses it; data stays."""
        self._server.cleanup()


def start_embedded_postgres(pgdata: Path) -> EmbeddedPostgres:
    """Init `pgdata` on first use, start the server if not already running (or adopt the one a killed run left),
    and return a handle (blocking)."""
    with warnings.catch_warnings():
        # pgserver keeps its lock under the user's runtime dir and platformdirs warns when $XDG_RUNTIME_DIR is not
        # set (containers, CI) before falling back to /tmp: nothing for the person running `warden up` to act on.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        from pgserver.postgres_server import PostgresServer, get_server  # a large wheel: load it only when needed

    pgdata.mkdir(parents=True, exist_ok=True)
    with PostgresServer._lock:  # pgserver's own inter-process lock around its handle list
        forget_dead_handles(pgdata.resolve() / HANDLE_PIDS_FILE)
    server = get_server(pgdata, cleanup_mode="stop")
    dsn: str = server.get_uri()
    logger.info("embedded postgres ready", extra={"pgdata": str(pgdata)})
    return EmbeddedPostgres(pgdata=pgdata, dsn=dsn, _server=server)


def forget_dead_handles(handle_file: Path) -> list[int]:
    """Drop the pids of processes that no longer run from pgserver's handle list; return the ones dropped."""
    try:
        pids = json.loads(handle_file.read_text())
    except FileNotFoundError:
        return []
    except ValueError:
        logger.warning("unreadable %s (rewritten): %s", handle_file.name, handle_file)
        pids = []
    if not isinstance(pids, list):
        pids = []
    alive = [pid for pid in pids if isinstance(pid, int) and psutil.pid_exists(pid)]
    dead = [pid for pid in pids if pid not in alive]
    if dead or len(alive) != len(pids):
        logger.warning(
            "forgetting the processes of an earlier run that did not stop cleanly (the server is adopted or restarted)",
            extra={"dead_pids": dead},
        )
        handle_file.write_text(json.dumps(alive))
    return dead
