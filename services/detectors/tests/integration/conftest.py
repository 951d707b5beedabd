"""A real detectors app on a fresh PostgreSQL database and a real bus, driven in-process over ASGI."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import numpy as np
import pytest
from fastapi import APIRouter, FastAPI
from pydantic import SecretStr

from warden_common import topics
from warden_common.bus.factory import create_bus
from warden_common.bus.port import Bus, BusRecord
from warden_common.codec import Event
from warden_common.db import apply_migrations, load_migrations, open_pool
from warden_common.errors import install_error_handlers
from warden_common.events import SELDON_REQUEST, build_event
from warden_common.platform import Platform
from warden_common.settings import BusSettings, RetryPolicy
from warden_common.testing.waiting import eventually as poll_until
from warden_detectors.configs.model import PLURAL_KINDS, DeploymentRef, DetectorKey, KindName
from warden_detectors.configs.repository import DetectorConfigRepository
from warden_detectors.main import create_app
from warden_detectors.runtime.arrays import Array
from warden_detectors.settings import DetectorsSettings

API = "/api/v1alpha1"
WAIT_S = 60.0
FAST_RETRY = RetryPolicy(max_attempts=2, initial_backoff_s=0.05, max_backoff_s=0.1)
NAMESPACE = "seldon"

eventually = functools.partial(poll_until, within_s=WAIT_S)


def outliers_path(deployment: str, plural: str = "seldondeployments") -> str:
    return f"{API}/namespaces/{NAMESPACE}/{plural}/{deployment}/monitor/outlier-detector"


@dataclass
class Detectors:
    app: FastAPI
    client: httpx.AsyncClient


@dataclass
class Bench:
    """The bus, the database and what the detectors published (replies) or dead-lettered during the test."""

    bus: Bus
    dsn: str
    group: str
    tmp: Path
    replies: list[Event] = field(default_factory=list)
    dead_letters: list[BusRecord] = field(default_factory=list)

    @asynccontextmanager
    async def detectors(self, **overrides: Any) -> AsyncIterator[Detectors]:
        settings = DetectorsSettings(
            consumer_group=self.group, data_dir=self.tmp / "detectors", config_refresh_s=0.5, **overrides
        )
        app = create_app(settings=settings, platform=Platform(mode="standalone", bus=self.bus, database_dsn=self.dsn))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://detectors") as client:
                yield Detectors(app, client)

    async def send_requests(self, deployment: str, batches: Sequence[list[list[float]]]) -> list[Event]:
        """One Seldon request event per batch of rows (as a Seldon Core executor logs it), published in order."""
        events = [seldon_request(deployment, rows, puid=f"puid-{deployment}-{i}") for i, rows in enumerate(batches)]
        for event in events:
            await self.bus.publish(event, topic=topics.INFERENCE, key=str(event.get_extension("requestid")))
        return events

    def replies_to(self, event: Event) -> list[Event]:
        return [reply for reply in self.replies if reply.get_id() == event.get_id()]


def seldon_request(deployment: str, rows: list[list[float]], *, puid: str) -> Any:
    extensions = {"requestid": puid, "modelid": "classifier", "inferenceservicename": deployment,
                  "namespace": NAMESPACE, "endpoint": "default", "protocol": "seldon"}  # fmt: skip
    return build_event(
        SELDON_REQUEST, {"data": {"ndarray": rows}}, source="http://executor:8000/", extensions=extensions
    )


@pytest.fixture(params=["postgres"])
def bus_settings(request: pytest.FixtureRequest, fresh_database: str, unique_name: str) -> BusSettings:
    if request.param == "kafka":
        bootstrap = request.getfixturevalue("kafka_bootstrap")
        return BusSettings(kind="kafka", kafka_bootstrap=bootstrap, kafka_namespace=f"{unique_name}.", partitions=2,
                           retry=FAST_RETRY)  # fmt: skip
    return BusSettings(kind="postgres", postgres_dsn=SecretStr(fresh_database), partitions=2, retry=FAST_RETRY)


@pytest.fixture
async def bench(
    fresh_database: str, bus_settings: BusSettings, unique_name: str, tmp_path: Path
) -> AsyncIterator[Bench]:
    bus = create_bus(bus_settings)
    await bus.start()
    try:
        bench = Bench(bus, fresh_database, f"detectors-{unique_name}", tmp_path)

        async def collect(event: Event) -> None:
            bench.replies.append(event)

        async def collect_dead(record: BusRecord) -> None:
            bench.dead_letters.append(record)

        watchers = [
            await bus.subscribe(topics.DETECTIONS, group=f"test-{unique_name}", handler=collect),
            await bus.subscribe_records(
                topics.dead_letter_topic(topics.INFERENCE), group=f"test-{unique_name}", handler=collect_dead
            ),
        ]
        yield bench
        for watcher in watchers:
            await watcher.stop()
    finally:
        await bus.close()


@pytest.fixture
def reference(tmp_path: Path) -> tuple[Path, Array]:
    """2,000 rows of 4 standard-normal features, saved as .npy."""
    rows = np.random.default_rng(7).normal(size=(2000, 4))
    path = tmp_path / "reference.npy"
    np.save(path, rows)
    return path, rows


@asynccontextmanager
async def results_route_client(
    database: str, router: APIRouter, kind: KindName, deployment: str, detector: str, **state: Any
) -> AsyncIterator[tuple[asyncpg.Pool, httpx.AsyncClient]]:
    """A bare app of one result route (`router`) on a migrated `database`: `state(pool)` values on `app.state` (the
    store), and `detector` of `kind` configured for both deployment kinds (the routes are 404 for others)."""
    await apply_migrations(database, "detectors", load_migrations("warden_detectors", "migrations"))
    async with open_pool(database, max_size=4) as pool:
        app = FastAPI()
        install_error_handlers(app)
        app.include_router(router)
        for name, make in state.items():
            setattr(app.state, name, make(pool))
        app.state.detector_repository = repository = DetectorConfigRepository(pool)
        for deployment_kind in PLURAL_KINDS.values():
            key = DetectorKey(DeploymentRef(NAMESPACE, deployment_kind, deployment), kind, detector)
            await repository.insert(key, kind, {"basic": {}})
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://detectors") as client:
            yield pool, client


async def wait_loaded(client: httpx.AsyncClient, path: str, state: str = "Loaded") -> dict[str, Any]:
    async def loaded() -> dict[str, Any] | None:
        answer = await client.get(path)
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body if body["status"]["state"] == state else None

    result: dict[str, Any] = await eventually(loaded, f"{path} {state}")
    return result
