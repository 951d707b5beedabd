"""Fixtures of the request logger's integration tests: real OpenSearch / PostgreSQL / Kafka, one test's own names.

`store_kind` runs a test once per log store; `logger_app` is the real service app (lifespan and all) on a
real bus, reached over httpx's ASGI transport; `metadata_stub` is a tiny real HTTP server answering the two
metadata endpoints the logger calls (runtime lookup, then model), for tests that need a registered schema.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from warden_common.bus.factory import create_bus
from warden_common.bus.port import Bus
from warden_common.logstore import LogStore
from warden_common.platform import Platform
from warden_common.settings import BusSettings, RetryPolicy
from warden_request_logger.main import create_app
from warden_request_logger.settings import OpenSearchSettings, RequestLoggerSettings

DATA = Path(__file__).parent.parent / "data"
FAST_RETRY = RetryPolicy(max_attempts=3, initial_backoff_s=0.05, max_backoff_s=0.2, multiplier=2.0)
WAIT_S = 90.0


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text())


@pytest.fixture
def test_data() -> Callable[[str], Any]:
    """`test_data("income_schema.json")`: a JSON file of tests/data."""
    return load


async def eventually(check: Callable[[], Awaitable[bool]], what: str, within_s: float = WAIT_S) -> None:
    try:
        async with asyncio.timeout(within_s):
            while True:
                if await check():
                    return
                await asyncio.sleep(0.2)
    except TimeoutError:
        raise AssertionError(f"timed out after {within_s}s waiting for: {what}") from None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.asynccontextmanager
async def serve(app: FastAPI, port: int) -> AsyncIterator[str]:
    """Run `app` on a real socket (uvicorn in this loop) until the block ends."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(20):
            while True:
                if server.started:
                    break
                await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def metadata_app(schemas: dict[tuple[str, str], dict[str, Any]]) -> FastAPI:
    """The metadata service's two read endpoints, wire format of protocols.md §8, for (namespace, name) -> schema."""
    app = FastAPI()

    @app.get("/api/v1alpha1/model/metadata/runtime")
    async def runtime(DeploymentName: str = "", DeploymentNamespace: str = "") -> dict[str, Any]:
        key = (DeploymentNamespace, DeploymentName)
        if key not in schemas:
            return {"runtimeMetadata": [], "nextPageToken": ""}
        entry = {"modelUri": f"gs://models/{DeploymentName}", "deploymentName": DeploymentName,
                 "deploymentNamespace": DeploymentNamespace, "predictorName": "default", "nodeName": "classifier",
                 "deploymentStatus": "Running", "deploymentType": "SeldonDeployment"}  # fmt: skip
        return {"runtimeMetadata": [entry], "nextPageToken": ""}

    @app.get("/api/v1alpha1/model/metadata")
    async def models(URI: str = "") -> dict[str, Any]:
        for (_, name), schema in schemas.items():
            if f"gs://models/{name}" == URI:
                return {"models": [{"URI": URI, "name": name, "version": "v1", "predictionSchema": schema}]}
        return {"models": [], "nextPageToken": ""}

    return app


@pytest.fixture
async def metadata_stub() -> AsyncIterator[Callable[[dict[tuple[str, str], dict[str, Any]]], Awaitable[str]]]:
    async with contextlib.AsyncExitStack() as stack:

        async def start(schemas: dict[tuple[str, str], dict[str, Any]]) -> str:
            return await stack.enter_async_context(serve(metadata_app(schemas), free_port()))

        yield start


@pytest.fixture(params=["opensearch", "postgres"])
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def logger_settings(store_kind: str, request: pytest.FixtureRequest, unique_name: str) -> RequestLoggerSettings:
    """Settings of a logger on the test's own store (index prefix or database), topic and group."""
    settings = RequestLoggerSettings(
        store=store_kind,  # type: ignore[arg-type]
        consumer_group=f"rl-{unique_name}",
        input_topics=[f"inference-{unique_name}"],
        instance_id=unique_name,
        schema_timeout_s=5.0,
    )
    if store_kind == "opensearch":
        url = request.getfixturevalue("opensearch_url")
        settings.opensearch = OpenSearchSettings(url=url, index_prefix=f"{unique_name}-", refresh_interval="200ms")
    return settings


@pytest.fixture
def bus_settings(kafka_bootstrap: str) -> BusSettings:
    return BusSettings(kind="kafka", kafka_bootstrap=kafka_bootstrap, partitions=4, retry=FAST_RETRY)


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
            dsn = request.getfixturevalue("fresh_database") if settings.store == "postgres" else None
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
