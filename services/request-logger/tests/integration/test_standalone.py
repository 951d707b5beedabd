"""Standalone mode: the PostgreSQL bus in, the PostgreSQL JSONB store out, chosen by the platform (store=auto)."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from cloudevents.core.v1.event import CloudEvent

from warden_common.bus.postgres import PostgresBus
from warden_common.platform import Platform
from warden_common.settings import BusSettings
from warden_request_logger.main import create_app
from warden_request_logger.settings import RequestLoggerSettings

pytestmark = pytest.mark.integration


async def test_events_on_the_standalone_bus_are_stored_in_postgres(fresh_database: str, unique_name: str) -> None:
    bus = PostgresBus(BusSettings(kind="postgres", postgres_dsn=fresh_database, postgres_schema="bus"))
    await bus.start()
    topic = f"inference-{unique_name}"
    settings = RequestLoggerSettings(input_topics=[topic], consumer_group=f"rl-{unique_name}", instance_id=unique_name)
    app = create_app(settings, Platform(mode="standalone", bus=bus, database_dsn=fresh_database))
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://request-logger") as client,
        ):
            assert type(app.state.logger_service.store).__name__ == "PostgresLogStore"
            rids = [str(uuid.uuid4()) for _ in range(20)]
            for rid in rids:
                for kind, data in (("request", {"data": {"ndarray": [[1.0, 2.0]]}}),
                                   ("response", {"data": {"ndarray": [[0.3, 0.7]]}})):  # fmt: skip
                    event = CloudEvent({"type": f"io.seldon.serving.inference.{kind}", "source": "/serving",
                                        "datacontenttype": "application/json", "requestid": rid,
                                        "inferenceservicename": "iris", "namespace": "local"}, data=data)  # fmt: skip
                    await bus.publish(event, topic=topic, key=rid)

            async with asyncio.timeout(60):
                while True:
                    found = (await client.get("/api/v1alpha1/requests", params={"namespace": "local",
                                                                                "pageSize": 100})).json()  # fmt: skip
                    complete = [h for h in found["requests"] if "request" in h and "response" in h]
                    if len(complete) == len(rids):
                        break
                    await asyncio.sleep(0.2)
            assert {h["requestId"] for h in complete} == set(rids)
            assert found["total"] == len(rids)
    finally:
        await bus.close()
