"""Fixtures of the request logger's integration tests: real OpenSearch / PostgreSQL / Kafka, one test's own names.

`store_kind` runs a test once per log store; `logger_app` is the real service app (lifespan and all) on a
real bus, reached over httpx's ASGI transport; `metadata_service` is the real metadata service (in process,
on a real socket, on the test's database and bus), for tests that need a registered prediction schema.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from warden_common import topics
from warden_common.bus.factory import create_bus
from warden_common.bus.port import Bus
from warden_common.db import apply_migrations
from warden_common.events import DEPLOYMENT_CREATED, build_event
from warden_common.events.deployments import DeploymentCreated, PredictorSummary
from warden_common.logstore import LogStore
from warden_common.logstore.factory import OpenSearchSettings
from warden_common.platform import Platform
from warden_common.settings import BusSettings, RetryPolicy
from warden_common.testing.auth import AUTH_OFF
from warden_common.testing.processes import serving
from warden_common.testing.waiting import eventually
from warden_gateway.main import create_app as create_gateway_app
from warden_gateway.settings import GatewaySettings
from warden_metadata.main import create_app as create_metadata_app
from warden_metadata.settings import MetadataSettings
from warden_request_logger.main import create_app
from warden_request_logger.settings import RequestLoggerSettings

DATA = Path(__file__).parent.parent / "data"
MODELS_API = "/api/v1alpha1/model/metadata"
FAST_RETRY = RetryPolicy(max_attempts=3, initial_backoff_s=0.05, max_backoff_s=0.2, multiplier=2.0)
WAIT_S = 90.0
POLL_S = 0.2


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text())


@pytest.fixture
def test_data() -> Callable[[str], Any]:
    """`test_data("income_schema.json")`: a JSON file of tests/data."""
    return load


@dataclass(frozen=True)
class RealMetadata:
    """The real metadata service (`warden_metadata.create_app`) on a real socket, and the bus it reads."""

    url: str
    bus: Bus

    async def deploy(self, *, namespace: str, name: str, node: str, uri: str, schema: dict[str, Any]) -> None:
        """Register the model (with its prediction schema) through the API, then publish the deployment event
        that maps (namespace, name, predictor `default`, `node`) to it in the runtime table; wait until it does."""
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as client:
            model = {"URI": uri, "name": name, "version": "v1", "artifactType": "SKLEARN", "predictionSchema": schema}
            answer = await client.post(MODELS_API, json=model)
            assert answer.status_code == 200, answer.text
            graph = {"name": node, "implementation": "SKLEARN_SERVER", "modelUri": uri, "children": []}
            spec = {"apiVersion": "machinelearning.seldon.io/v1", "kind": "SeldonDeployment",
                    "metadata": {"name": name, "namespace": namespace},
                    "spec": {"predictors": [{"name": "default", "traffic": 100, "graph": graph}]}}  # fmt: skip
            created = DeploymentCreated(
                namespace=namespace, name=name, kind="SeldonDeployment", uid=f"uid-{name}", spec=spec,
                predictors=[PredictorSummary(name="default", model_uris=[uri], traffic=100)], status="Available",
                actor="test",
            )  # fmt: skip
            event = build_event(DEPLOYMENT_CREATED, created, source="/warden/test")
            await self.bus.publish(event, topic=topics.DEPLOYMENTS, key=f"{namespace}/{name}")

            async def mapped() -> bool:
                params = {"DeploymentName": name, "DeploymentNamespace": namespace}
                answer = await client.get(f"{MODELS_API}/runtime", params=params)
                return any(row.get("modelUri") == uri for row in answer.json().get("runtimeMetadata", []))

            await eventually(mapped, f"the metadata service's runtime table to map {namespace}/{name} to {uri}",
                             within_s=WAIT_S, interval_s=POLL_S)  # fmt: skip


@pytest.fixture
async def metadata_service(bus: Bus, fresh_database: str, unique_name: str) -> AsyncIterator[RealMetadata]:
    """The metadata service in process on the test's database (migrated at start) and the test's Kafka bus."""
    settings = MetadataSettings(runtime_consumer_group=f"metadata-runtime-{unique_name}", auto_migrate=True)
    app = create_metadata_app(settings, Platform(mode="distributed", bus=bus, database_dsn=fresh_database))
    async with app.router.lifespan_context(app), serving(app) as url:
        yield RealMetadata(url, bus)


@pytest.fixture
async def gateway_url(fresh_database: str, bus: Bus) -> AsyncIterator[str]:
    """The real gateway (deployments in its own schema of the test's database) on a real socket."""
    app = create_gateway_app(
        GatewaySettings(auth=AUTH_OFF), Platform(mode="standalone", bus=bus, database_dsn=fresh_database)
    )
    async with app.router.lifespan_context(app), serving(app) as url:
        yield url


@pytest.fixture(params=["opensearch", "postgres"])
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def logger_settings(store_kind: str, request: pytest.FixtureRequest, unique_name: str) -> RequestLoggerSettings:
    """Settings of a logger on the test's own store (index prefix or database), topic and group."""
    settings = RequestLoggerSettings(
        store=store_kind,
        consumer_group=f"rl-{unique_name}",
        input_topics=[f"inference-{unique_name}"],
        instance_id=unique_name,
        schema_timeout_s=5.0,
    )
    if store_kind == "opensearch":
        url = request.getfixturevalue("opensearch_url")
        settings.opensearch = OpenSearchSettings(url=url, index_prefix=f"{unique_name}-", refresh_interval="200ms")
    return settings


async def migrate_as_warden_migrate_does(dsn: str) -> list[int]:
    """Apply the migrations the request logger registers in the `warden.migrations` entry point group."""
    [plan] = [ep.load()() for ep in entry_points(group="warden.migrations") if ep.name == "request-logger"]
    return await apply_migrations(dsn, plan.service, plan.migrations())


@pytest.fixture
def bus_settings(kafka_bootstrap: str, unique_name: str) -> BusSettings:
    """The test's own namespace on the shared Kafka: a fresh consumer group (the metadata service's, say) must not
    replay the deployments other tests published on the same fixed topics."""
    return BusSettings(kind="kafka", kafka_bootstrap=kafka_bootstrap, kafka_namespace=f"{unique_name}.",
                       partitions=4, retry=FAST_RETRY)  # fmt: skip


@pytest.fixture
async def bus(bus_settings: BusSettings) -> AsyncIterator[Bus]:
    started = create_bus(bus_settings)
    await started.start()
    yield started
    await started.close()


class RunningLogger:
    def __init__(self, app: FastAPI, client: httpx.AsyncClient) -> None:
        self.app, self.client = app, client

    @property
    def store(self) -> LogStore:
        store: LogStore = self.app.state.logger_service.store
        return store

    async def post_event(self, headers: dict[str, str], body: Any) -> httpx.Response:
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return await self.client.post("/", headers=headers, content=content)

    async def search(self, path: str = "/api/v1alpha1/requests", **params: Any) -> dict[str, Any]:
        await self.store.refresh()
        answer = await self.client.get(path, params=params)
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result


@pytest.fixture
async def start_logger(
    logger_settings: RequestLoggerSettings, bus: Bus, request: pytest.FixtureRequest, unique_name: str
) -> AsyncIterator[Callable[..., Awaitable[RunningLogger]]]:
    async with contextlib.AsyncExitStack() as stack:

        async def start(**overrides: Any) -> RunningLogger:
            settings = logger_settings.model_copy(update=overrides)
            dsn = None
            if settings.store == "postgres":
                dsn = request.getfixturevalue("fresh_database")
                await migrate_as_warden_migrate_does(dsn)  # distributed mode: the logger does not migrate itself
            app = create_app(settings, Platform(mode="distributed", bus=bus, database_dsn=dsn))
            await stack.enter_async_context(app.router.lifespan_context(app))
            client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://request-logger")
            await stack.enter_async_context(client)
            return RunningLogger(app, client)

        yield start
        if logger_settings.store == "opensearch":
            await _delete_indices(logger_settings.opensearch.url, logger_settings.opensearch.index_prefix)


async def _delete_indices(url: str, prefix: str) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        await client.delete(f"/{prefix}*", params={"expand_wildcards": "all"})
        for kind in ("inference-log", "inference-payload"):
            await client.delete(f"/_index_template/{prefix}{kind}")
