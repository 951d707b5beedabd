"""Per-test PostgreSQL databases: create, drop (kicking out leftover connections), and DSN rewriting."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from warden_common.testing.servers.errors import InfraError

_SAFE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def with_database(dsn: str, database: str) -> str:
    """`dsn` pointing at `database` instead (works for TCP and Unix-socket DSNs alike)."""
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path=f"/{database}"))


def _checked(name: str) -> str:
    # Database names cannot be bound as query parameters, so only allow names that need no quoting.
    if not _SAFE_NAME.match(name):
        raise InfraError(f"refusing database name {name!r}: use lowercase letters, digits and _")
    return name


async def create_database(admin_dsn: str, name: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(admin_dsn, timeout=10)
    try:
        await connection.execute(f'CREATE DATABASE "{_checked(name)}"')
    finally:
        await connection.close()


async def drop_database(admin_dsn: str, name: str) -> None:
    """Drop `name` even if a test leaked connections to it (WITH (FORCE) terminates them; PostgreSQL 13+)."""
    import asyncpg

    connection = await asyncpg.connect(admin_dsn, timeout=10)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{_checked(name)}" WITH (FORCE)')
    finally:
        await connection.close()
