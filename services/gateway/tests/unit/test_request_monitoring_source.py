"""Which source `monitor/requests` reads: without Prometheus in distributed mode it says what to configure (503),
rather than answer zeros from a table nobody writes; bad queries are refused before any source is asked."""

from __future__ import annotations

from typing import Any, cast

import httpx

from warden_common.bus.port import Bus
from warden_common.platform import Platform
from warden_common.testing.auth import AUTH_OFF
from warden_gateway.main import create_app
from warden_gateway.settings import GatewaySettings

PATH = "/seldon-deploy/api/v1alpha1/namespaces/seldon/inferenceservices/iris/monitor/requests"


class _IdleBus:
    async def ready(self) -> bool:
        return True

    async def subscribe(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("nothing subscribes without a database")


async def test_distributed_without_prometheus_names_the_setting() -> None:
    app = create_app(GatewaySettings(auth=AUTH_OFF), Platform(mode="distributed", bus=cast(Bus, _IdleBus())))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://warden.test") as client:
            unavailable = await client.get(PATH)
            bad = await client.get(PATH, params={"start": "2026-01-01T10:00:00Z", "end": "2026-01-01T09:00:00Z"})
    assert unavailable.status_code == 503
    assert unavailable.json()["reason"] == "metrics_unavailable"
    assert "WARDEN_GATEWAY_MONITORING__PROMETHEUS_URL" in unavailable.json()["message"]
    assert bad.status_code == 422 and bad.json()["reason"] == "invalid_query" and "'end'" in bad.json()["message"]
