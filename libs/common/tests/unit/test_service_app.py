"""The app every service is built from: health, readiness, metrics and the one error shape."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI
from pydantic import BaseModel

from warden_common.bus.port import BatchHandler, BusRecord, EventHandler, RecordHandler, Subscription
from warden_common.codec import Event
from warden_common.errors import Conflict
from warden_common.platform import Platform
from warden_common.service_app import create_service_app, state_dependency
from warden_common.settings import ServiceSettings


class FakeBus:
    """Unit-test stand-in: only readiness matters here."""

    def __init__(self, ready: bool = True) -> None:
        self.is_ready = ready

    async def start(self) -> None: ...
    async def close(self) -> None: ...
    async def ready(self) -> bool:
        return self.is_ready

    async def publish(self, event: Event, *, topic: str, key: str | bytes | None = None) -> None: ...
    async def publish_record(self, record: BusRecord) -> None: ...
    async def subscribe(self, topic: str, *, group: str, handler: EventHandler) -> Subscription:
        raise NotImplementedError

    async def subscribe_records(self, topic: str, *, group: str, handler: RecordHandler) -> Subscription:
        raise NotImplementedError

    async def subscribe_batch(
        self, topic: str, *, group: str, handler: BatchHandler, max_batch: int = 500
    ) -> Subscription:
        raise NotImplementedError


class Item(BaseModel):
    name: str
    size: int


def _routes() -> APIRouter:
    router = APIRouter()

    @router.post("/items")
    async def create(item: Item) -> Item:
        if item.name == "taken":
            raise Conflict("item 'taken' exists", details={"name": item.name})
        return item

    @router.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    return router


@asynccontextmanager
async def _running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
            yield client


def _app(bus: FakeBus) -> FastAPI:
    platform = Platform(mode="standalone", bus=bus)
    return create_service_app("demo", settings=ServiceSettings(), platform=platform, routers=[_routes()])


async def test_live_and_ready_when_bus_is_ready() -> None:
    async with _running(_app(FakeBus())) as client:
        assert (await client.get("/health/live")).json() == {"status": "alive"}
        ready = await client.get("/health/ready")
        assert ready.status_code == 200
        assert ready.json() == {"status": "ready", "checks": {"bus": True}}


async def test_not_ready_before_start_and_when_bus_is_down() -> None:
    bus = FakeBus()
    app = _app(bus)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        assert (await client.get("/health/ready")).status_code == 503  # lifespan not entered yet
    async with _running(app) as client:
        bus.is_ready = False
        answer = await client.get("/health/ready")
        assert answer.status_code == 503
        assert answer.json()["checks"] == {"bus": False}


async def test_errors_have_the_sdk_shape() -> None:
    async with _running(_app(FakeBus())) as client:
        conflict = await client.post("/items", json={"name": "taken", "size": 1})
        assert conflict.status_code == 409
        assert conflict.json() == {
            "code": 409,
            "reason": "conflict",
            "message": "item 'taken' exists",
            "details": {"name": "taken"},
        }

        invalid = await client.post("/items", json={"name": "x", "size": "big"})
        assert invalid.status_code == 422
        assert "body.size" in invalid.json()["message"]
        assert invalid.json()["details"][0]["loc"] == "body.size"

        missing = await client.get("/nowhere")
        assert missing.status_code == 404
        assert missing.json()["code"] == 404


async def test_unexpected_errors_do_not_leak_internals() -> None:
    async with _running(_app(FakeBus())) as client:
        answer = await client.get("/boom")
        assert answer.status_code == 500
        assert answer.json() == {"code": 500, "reason": "internal_error", "message": "internal error: RuntimeError"}


@pytest.mark.parametrize("path", ["/items", "/health/live"])
async def test_metrics_count_requests_by_route_template(path: str) -> None:
    async with _running(_app(FakeBus())) as client:
        if path == "/items":
            status = (await client.post("/items", json={"name": "a", "size": 1})).status_code
        else:
            status = (await client.get(path)).status_code
        metrics = (await client.get("/metrics")).text
        method = "POST" if path == "/items" else "GET"
        sample = f'warden_http_requests_total{{method="{method}",route="{path}",service="demo",status="{status}"}}'
        assert sample in metrics


CounterOnState = Annotated[Counter[str], Depends(state_dependency(Counter, "counter", "the counter is"))]
Lacking = Annotated[Counter[str], Depends(state_dependency(Counter, "other", "x", unavailable="set WARDEN_X"))]


async def test_a_service_on_app_state_is_injected_once_set_and_a_503_naming_it_before() -> None:
    router = APIRouter()

    @router.get("/count")
    async def count(service: CounterOnState) -> dict[str, int]:
        service["n"] += 1
        return dict(service)

    @router.get("/other")
    async def other(service: Lacking) -> None: ...

    app = create_service_app("demo", settings=ServiceSettings(), platform=Platform("standalone", FakeBus()),
                             routers=[router])  # fmt: skip
    async with _running(app) as client:
        starting = await client.get("/count")
        assert starting.status_code == 503
        assert starting.json()["message"] == "the demo service is starting: the counter is not available yet"
        app.state.counter = Counter()
        assert (await client.get("/count")).json() == {"n": 1}
        app.state.counter = None  # what a setup does when it stops
        assert (await client.get("/count")).status_code == 503
        assert (await client.get("/other")).json()["message"] == "set WARDEN_X"
