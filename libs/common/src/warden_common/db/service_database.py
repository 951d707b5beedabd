"""A service's own PostgreSQL at startup: migrate (standalone) or check its schema (distributed), open the pool and
report it in `/health/ready`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI

from warden_common.db.migrations import Migration, prepare_schema
from warden_common.db.pool import open_pool
from warden_common.errors import ServiceUnavailable
from warden_common.observability import add_readiness_check
from warden_common.platform import Platform
from warden_common.settings import DatabaseSettings


@asynccontextmanager
async def service_database(
    app: FastAPI, platform: Platform, *, service: str, env_prefix: str, database: DatabaseSettings,
    auto_migrate: bool | None, migrations: Sequence[Migration],
) -> AsyncIterator[asyncpg.Pool]:  # fmt: skip
    """The pool of `service`'s database; `auto_migrate` None means: migrate in standalone only."""
    dsn = platform.database_dsn
    if not dsn:
        raise ServiceUnavailable(f"the {service} service needs PostgreSQL: set {env_prefix}DATABASE__DSN")
    migrate = auto_migrate if auto_migrate is not None else platform.mode == "standalone"
    await prepare_schema(dsn, service, migrations, migrate=migrate)
    async with open_pool(
        dsn, min_size=database.min_pool, max_size=database.max_pool, application_name=f"warden-{service}"
    ) as pool:

        async def database_ready() -> bool:
            return bool(await pool.fetchval("SELECT true"))

        add_readiness_check(app, "database", database_ready)
        yield pool
