"""Where the infra servers keep their state and downloads, and how environment variables tune them.

Every knob is an environment variable read when a server object is built (never at import time);
the full list is in `warden_common.testing.servers` and `scripts/infra/README.md`.
"""

from __future__ import annotations

import os
from pathlib import Path

from warden_common.testing.servers.errors import InfraError

# Servers bind to loopback only: these machines are shared and the servers run without authentication.
LOOPBACK = "127.0.0.1"


def repo_root() -> Path:
    """The checkout that holds `scripts/infra` (its pom files are the source of the Maven downloads)."""
    override = os.environ.get("WARDEN_REPO_ROOT")
    if override:
        return Path(override).resolve()
    # Editable installs live inside the checkout; fall back to the working directory for wheel installs.
    for start in (Path(__file__).resolve(), Path.cwd().resolve()):
        for candidate in (start, *start.parents):
            if (candidate / "scripts" / "infra").is_dir() and (candidate / "pyproject.toml").is_file():
                return candidate
    raise InfraError("cannot find the repository root (a directory with scripts/infra); set WARDEN_REPO_ROOT")


def infra_home() -> Path:
    """Root of server state (data, logs, pid files): $WARDEN_INFRA_HOME, default <repo root>/.infra."""
    override = os.environ.get("WARDEN_INFRA_HOME")
    return Path(override).resolve() if override else repo_root() / ".infra"


def cache_home() -> Path:
    """Downloads kept across checkouts and state wipes: $WARDEN_INFRA_CACHE, default ~/.cache/warden-infra."""
    override = os.environ.get("WARDEN_INFRA_CACHE")
    return Path(override).resolve() if override else Path.home() / ".cache" / "warden-infra"


def env_port(name: str, default: int) -> int:
    """A TCP port from the environment variable `name`, validated so a typo fails loudly."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        port = int(raw)
    except ValueError as exc:
        raise InfraError(f"{name}={raw!r} is not a port number") from exc
    if not 0 < port < 65536:
        raise InfraError(f"{name}={port} is outside 1..65535")
    return port


def env_path(name: str, default: Path) -> Path:
    """A directory from the environment variable `name`, else `default`."""
    raw = os.environ.get(name)
    return Path(raw).resolve() if raw else default
