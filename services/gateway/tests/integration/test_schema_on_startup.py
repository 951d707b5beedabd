"""The gateway migrates its schema itself in standalone; distributed, `warden migrate` does and the gateway checks."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr

from warden_common.bus.factory import create_bus
from warden_common.db import apply_migrations
from warden_common.errors import ServiceUnavailable
from warden_common.platform import Platform
from warden_common.settings import BusSettings
from warden_common.testing.auth import AUTH_OFF
from warden_gateway.main import create_app
from warden_gateway.migrations import SERVICE, migrations
from warden_gateway.settings import GatewaySettings

pytestmark = pytest.mark.integration


async def test_distributed_gateway_refuses_an_unmigrated_database_then_starts(fresh_database: str) -> None:
    bus = create_bus(BusSettings(kind="postgres", postgres_dsn=SecretStr(fresh_database)))
    await bus.start()
    try:
        platform = Platform(mode="distributed", bus=bus, database_dsn=fresh_database)
        app = create_app(GatewaySettings(auth=AUTH_OFF), platform)
        with pytest.raises(ServiceUnavailable, match="warden migrate"):
            async with app.router.lifespan_context(app):
                pass

        assert await apply_migrations(fresh_database, SERVICE, migrations()) == [1, 2, 3, 4, 5]
        app = create_app(GatewaySettings(auth=AUTH_OFF), platform)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
                ready = (await client.get("/health/ready")).json()
                assert ready["checks"] == {"bus": True, "database": True}
                listed = (await client.get("/seldon-deploy/api/v1alpha1/namespaces")).json()
                assert [ns["name"] for ns in listed] == ["seldon"]
    finally:
        await bus.close()
