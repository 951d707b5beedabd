"""Command line for the infra servers; `scripts/infra/<name>` are thin wrappers around it.

Progress goes to stderr (logging); `status` prints one line per server to stdout. Exit 1 on failure.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time

from warden_common.testing.servers.base import ManagedServer
from warden_common.testing.servers.errors import InfraError
from warden_common.testing.servers.registry import SERVER_NAMES, get_server

logger = logging.getLogger("warden_common.testing.servers")

ACTIONS = ("install", "start", "stop", "status", "wait")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m warden_common.testing.servers", description=__doc__)
    parser.add_argument("server", choices=[*SERVER_NAMES, "postgres-debian", "postgres-embedded", "all"])
    parser.add_argument("action", choices=ACTIONS)
    parser.add_argument("--timeout", type=float, default=None, help="seconds to wait for health (start/wait)")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s infra %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )
    if not args.verbose:
        # Both narrate every call at INFO (pg_ctl runs, health-check requests).
        logging.getLogger("pgserver").setLevel(logging.WARNING)
        logging.getLogger("httpx").setLevel(logging.WARNING)
    names = list(SERVER_NAMES) if args.server == "all" else [args.server]
    # Stop in reverse start order; every other action in start order.
    if args.action == "stop":
        names.reverse()
        if args.server == "all":
            # Tests start the embedded PostgreSQL whatever the mode, so stop both kinds.
            names[names.index("postgres") : names.index("postgres") + 1] = ["postgres-debian", "postgres-embedded"]
    started = time.monotonic()
    failed: list[str] = []
    servers: list[ManagedServer] = []
    for name in names:
        try:
            server = get_server(name)
            if args.action == "start" and len(names) > 1:
                # Launch everything first and wait afterwards: the JVMs then boot side by side.
                server.start(args.timeout, wait=False)
                servers.append(server)
            else:
                _act(server, args.action, args.timeout)
        except Exception as exc:  # report every server's failure, not just the first one's traceback
            _report(name, args.action, exc, args.verbose)
            failed.append(name)
    if args.server == "all" and args.action == "install":
        failed.extend(_install_mlserver())
        failed.extend(_install_test_tools())
    for server in servers:
        try:
            server.wait(args.timeout)
        except Exception as exc:
            _report(server.name, "start", exc, args.verbose)
            failed.append(server.name)
    logger.info("%s %s done in %.1fs", args.server, args.action, time.monotonic() - started)
    if failed:
        logger.error("failed: %s", ", ".join(failed))
        return 1
    return 0


def _install_mlserver() -> list[str]:
    """MLServer is not a server (the serving runtime starts it) but `all install` prepares its venv too."""
    from warden_common.testing.servers import mlserver

    try:
        mlserver.install()
    except InfraError as exc:
        logger.error("mlserver install failed: %s", exc)
        return ["mlserver"]
    return []


def _install_test_tools() -> list[str]:
    """Programs tests run beside the servers: `sshd` (`warden_common.testing.sshd`, GitOps pushes over ssh://).
    Installed with its service blocked from starting; the tests run their own sshd on a free loopback port."""
    from warden_common.testing.servers.tools import ensure_apt_packages

    try:
        ensure_apt_packages(["openssh-server"])
    except InfraError as exc:
        logger.error("openssh-server install failed: %s", exc)
        return ["openssh-server"]
    return []


def _report(name: str, action: str, exc: Exception, verbose: bool) -> None:
    # InfraError messages are written for people; anything else is a bug, so show what it was.
    detail = str(exc) if isinstance(exc, InfraError) else f"{type(exc).__name__}: {exc}"
    logger.error("%s %s failed: %s", name, action, detail, exc_info=verbose)


def _act(server: ManagedServer, action: str, timeout: float | None) -> None:
    if action == "install":
        server.install()
    elif action == "start":
        server.start(timeout)
    elif action == "stop":
        server.stop()
    elif action == "wait":
        server.wait(timeout)
    else:
        status = server.status()
        print(status.describe())
        if not status.healthy:
            raise InfraError(f"{server.name} is not healthy")
