"""The shared migrations runner (warden_common.db) on real PostgreSQL, and how the service uses it."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from warden_common.bus.factory import create_bus
from warden_common.db import Migration, MigrationError, apply_migrations, pending_migrations
from warden_common.errors import ServiceUnavailable
from warden_common.platform import Platform
from warden_common.settings import BusSettings
from warden_metadata.main import create_app
from warden_metadata.migrations import SERVICE, migrations
from warden_metadata.settings import MetadataSettings

pytestmark = pytest.mark.integration

SLOW = [
    Migration(1, "first", "CREATE TABLE t_one (id int); SELECT pg_sleep(0.5);"),
    Migration(2, "second", "CREATE TABLE t_two (id int);"),
]


async def test_concurrent_runners_apply_each_migration_once(fresh_database: str) -> None:
    results = await asyncio.gather(*(apply_migrations(fresh_database, "svc", SLOW) for _ in range(4)))
    assert sorted(results, key=len) == [
        [],
        [],
        [],
        [1, 2],
    ]  # one runner did it all; the others waited, then found nothing
    conn = await asyncpg.connect(fresh_database)
    try:
        rows = await conn.fetch("SELECT service, version, name FROM public.schema_migrations ORDER BY version")
        assert [tuple(r) for r in rows] == [("svc", 1, "first"), ("svc", 2, "second")]
    finally:
        await conn.close()
    assert await pending_migrations(fresh_database, "svc", SLOW) == []
    assert await pending_migrations(fresh_database, "other", SLOW) == SLOW  # keyed by service


async def test_failed_migration_leaves_nothing_and_edited_migration_is_refused(fresh_database: str) -> None:
    broken = [SLOW[1], Migration(3, "broken", "CREATE TABLE t_three (id int); SELECT no_such_function();")]
    with pytest.raises(asyncpg.UndefinedFunctionError):
        await apply_migrations(fresh_database, "svc", broken)
    conn = await asyncpg.connect(fresh_database)
    try:
        assert await conn.fetchval("SELECT to_regclass('t_three')") is None  # rolled back with its bookkeeping
        assert await conn.fetchval("SELECT to_regclass('t_two')") is not None  # the earlier one stays applied
    finally:
        await conn.close()
    edited = [Migration(2, "second", "CREATE TABLE t_two (id bigint);")]
    with pytest.raises(MigrationError, match="changed after it was applied"):
        await apply_migrations(fresh_database, "svc", edited)


async def _warden_migrate(dsn: str) -> subprocess.CompletedProcess[str]:
    warden = Path(sys.executable).with_name("warden")
    env = {**os.environ, "WARDEN_METADATA_DATABASE__DSN": dsn}
    command = [str(warden), "migrate"]
    return await asyncio.to_thread(subprocess.run, command, env=env, capture_output=True, text=True, timeout=120)


async def test_distributed_service_refuses_an_unmigrated_database_until_warden_migrate(fresh_database: str) -> None:
    bus = create_bus(BusSettings(kind="postgres", postgres_dsn=SecretStr(fresh_database)))
    await bus.start()
    try:
        platform = Platform(mode="distributed", bus=bus, database_dsn=fresh_database)
        app: FastAPI = create_app(settings=MetadataSettings(), platform=platform)
        with pytest.raises(ServiceUnavailable, match="warden migrate"):
            async with app.router.lifespan_context(app):
                pass

        # Only the metadata database is configured: other services are skipped, metadata is migrated, once.
        done = await _warden_migrate(fresh_database)
        assert done.returncode == 0, done.stderr
        assert f"{SERVICE}: 0001" in done.stdout
        again = await _warden_migrate(fresh_database)
        assert f"{SERVICE}: nothing to do" in again.stdout

        app = create_app(settings=MetadataSettings(), platform=platform)
        async with app.router.lifespan_context(app):
            assert app.state.metadata is not None
    finally:
        await bus.close()
    assert await pending_migrations(fresh_database, SERVICE, migrations()) == []
