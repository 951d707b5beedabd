"""Ordered SQL migrations, per service, recorded in one `schema_migrations` table.

A service ships files named `NNNN_what_it_does.sql` in a package directory; `load_migrations` reads them in
version order and `apply_migrations` runs the ones not yet recorded, each in its own transaction together with
its bookkeeping row, so a failed migration leaves nothing half-applied. A session-level advisory lock makes
concurrent runners (two replicas starting at once, `warden migrate` while a service starts) take turns: the
second one waits, then finds nothing left to do. An applied migration whose file changed afterwards is an
error, not a silent skip: the database would no longer match what the code believes it is.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources

import asyncpg

from warden_common.errors import ServiceUnavailable

logger = logging.getLogger(__name__)

MIGRATIONS_TABLE = "public.schema_migrations"

_FILE_NAME = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql$")

# One lock for every service: the bookkeeping table is shared, and migrations are rare and short.
_LOCK_KEY = int.from_bytes(hashlib.sha256(b"warden.schema_migrations").digest()[:8], "big", signed=True)

_CREATE_TABLE = f"""
CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} (
    service    text        NOT NULL,
    version    integer     NOT NULL,
    name       text        NOT NULL,
    checksum   text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (service, version)
)
"""


class MigrationError(Exception):
    """The migrations cannot be applied as they are (bad file name, changed file, lock not obtained...)."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str = field(repr=False)

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


@dataclass(frozen=True)
class ServiceMigrations:
    """What a service registers under the `warden.migrations` entry point group (a zero-argument factory
    returning this): its migrations, and where its database is when `warden migrate` runs them."""

    service: str
    migrations: Callable[[], Sequence[Migration]]
    dsn_from_settings: Callable[[], str | None]


def load_migrations(package: str, directory: str | None = None) -> list[Migration]:
    """The `NNNN_name.sql` files in `package` (or its `directory`), by version; `MigrationError` on a bad name."""
    found: dict[int, Migration] = {}
    root = resources.files(package)
    for entry in (root.joinpath(directory) if directory else root).iterdir():
        if not entry.name.endswith(".sql"):
            continue
        match = _FILE_NAME.match(entry.name)
        if match is None:
            raise MigrationError(f"migration file {entry.name!r} is not named NNNN_lowercase_name.sql")
        version = int(match["version"])
        if version in found:
            raise MigrationError(f"two migrations of {package} have version {version}")
        found[version] = Migration(version, match["name"], entry.read_text(encoding="utf-8"))
    return [found[v] for v in sorted(found)]


async def applied_versions(conn: asyncpg.Connection, service: str) -> dict[int, str]:
    """version -> checksum of what is recorded for `service` (empty when nothing was ever migrated)."""
    exists = await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", MIGRATIONS_TABLE)
    if not exists:
        return {}
    rows = await conn.fetch(f"SELECT version, checksum FROM {MIGRATIONS_TABLE} WHERE service = $1", service)
    return {int(row["version"]): str(row["checksum"]) for row in rows}


def _check_history(service: str, migrations: Sequence[Migration], applied: dict[int, str]) -> list[Migration]:
    known = {m.version: m for m in migrations}
    for version, checksum in applied.items():
        migration = known.get(version)
        if migration is None:
            logger.warning("database has migration %s/%04d that this code does not know", service, version)
        elif migration.checksum != checksum:
            raise MigrationError(
                f"migration {service}/{version:04d}_{migration.name} changed after it was applied "
                "(add a new migration instead of editing an applied one)"
            )
    return [m for m in migrations if m.version not in applied]


async def pending_migrations(dsn: str, service: str, migrations: Sequence[Migration]) -> list[Migration]:
    """Migrations of `service` not yet applied to the database at `dsn`."""
    conn = await asyncpg.connect(dsn)
    try:
        return _check_history(service, migrations, await applied_versions(conn, service))
    finally:
        await conn.close()


async def apply_migrations(
    dsn: str, service: str, migrations: Sequence[Migration], *, lock_timeout_s: float = 60.0
) -> list[int]:
    """Apply what is pending for `service`, in order, under the migrations lock; the versions applied now."""
    conn = await asyncpg.connect(dsn)
    try:
        try:
            await asyncio.wait_for(conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY), lock_timeout_s)
        except TimeoutError as exc:
            raise MigrationError(f"another process held the migrations lock for over {lock_timeout_s}s") from exc
        try:
            await conn.execute(_CREATE_TABLE)
            pending = _check_history(service, migrations, await applied_versions(conn, service))
            for migration in pending:
                logger.debug("applying migration %s/%04d_%s", service, migration.version, migration.name)
                async with conn.transaction():
                    await conn.execute(migration.sql)
                    await conn.execute(
                        f"INSERT INTO {MIGRATIONS_TABLE} (service, version, name, checksum) VALUES ($1, $2, $3, $4)",
                        service,
                        migration.version,
                        migration.name,
                        migration.checksum,
                    )
            return [m.version for m in pending]
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
    finally:
        await conn.close()


def merge_migrations(*groups: Sequence[Migration]) -> list[Migration]:
    """One service's migrations from several sources (its files, `Outbox.migration(...)`), by version.

    `MigrationError` when two share a version: which one the database got would depend on list order.
    """
    found: dict[int, Migration] = {}
    for migration in (m for group in groups for m in group):
        if migration.version in found:
            raise MigrationError(
                f"migrations {found[migration.version].name!r} and {migration.name!r} both have version "
                f"{migration.version}"
            )
        found[migration.version] = migration
    return [found[v] for v in sorted(found)]


async def prepare_schema(dsn: str, service: str, migrations: Sequence[Migration], *, migrate: bool) -> None:
    """At a service's start: apply pending migrations (`migrate`, i.e. standalone), or refuse to start on an
    out-of-date schema, naming what is missing (distributed mode, where `warden migrate` is the one that migrates)."""
    if migrate:
        applied = await apply_migrations(dsn, service, migrations)
        if applied:
            logger.info("schema migrated", extra={"service": service, "versions": applied})
        return
    pending = await pending_migrations(dsn, service, migrations)
    if pending:
        names = ", ".join(f"{m.version:04d}_{m.name}" for m in pending)
        raise ServiceUnavailable(f"the {service} database lacks migrations {names}: run `warden migrate` first")
