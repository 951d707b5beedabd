"""The PostgreSQL log store's schema: `warden migrate` applies it in distributed mode; standalone migrates itself.

`test_standalone` covers the standalone side (a fresh database, the logger migrates it on start).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from pathlib import Path

import pytest

from warden_common.bus.port import Bus
from warden_common.db import pending_migrations
from warden_common.errors import ServiceUnavailable
from warden_common.logstore.migrations import SERVICE, migrations
from warden_common.platform import Platform
from warden_request_logger.main import create_app
from warden_request_logger.settings import RequestLoggerSettings

pytestmark = pytest.mark.integration


def _warden() -> str:
    found = Path(sys.executable).with_name("warden")
    return str(found) if found.exists() else shutil.which("warden") or "warden"


async def test_distributed_logger_refuses_an_unmigrated_database_until_warden_migrate_ran(
    fresh_database: str, bus: Bus, unique_name: str
) -> None:
    settings = RequestLoggerSettings(store="postgres", input_topics=[f"inference-{unique_name}"],
                                     consumer_group=f"rl-{unique_name}", instance_id=unique_name)  # fmt: skip
    platform = Platform(mode="distributed", bus=bus, database_dsn=fresh_database)
    app = create_app(settings, platform)
    with pytest.raises(ServiceUnavailable, match="warden migrate"):
        async with app.router.lifespan_context(app):
            pass
    assert [m.version for m in await pending_migrations(fresh_database, SERVICE, migrations())] == [1, 2, 3, 4]

    # The real CLI, as an operator runs it: it finds the logger's migrations through the entry point group.
    process = await asyncio.create_subprocess_exec(
        _warden(), "migrate", "--service", SERVICE, "--dsn", fresh_database, env={**os.environ},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, output.decode()
    assert f"{SERVICE}: 0001" in output.decode()
    assert await pending_migrations(fresh_database, SERVICE, migrations()) == []

    app = create_app(settings, platform)
    async with app.router.lifespan_context(app):
        assert type(app.state.logger_service.store).__name__ == "PostgresLogStore"
