"""The setup both data-plane scripts share: the serving service on a free port with the iris demo model deployed."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from warden_common.bus.factory import create_bus
from warden_common.events import DEPLOYMENT_CREATED, build_event
from warden_common.settings import BusSettings
from warden_common.topics import DEPLOYMENTS
from warden_serving.demo.build import build_demo_models
from warden_serving.main import create_app
from warden_serving.runtime.process import free_port
from warden_serving.settings import ServingSettings


@asynccontextmanager
async def serving_with_iris(dsn: str, *, prefix: str, **overrides: Any) -> AsyncIterator[str]:
    """Yield the base URL of a serving service whose `bench/iris` deployment (iris scikit-learn) is ready;
    `overrides` are more `ServingSettings`."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    models = build_demo_models(work / "home")
    bus_settings = BusSettings(kind="postgres", postgres_dsn=dsn)
    port = free_port()
    settings = ServingSettings(bus=bus_settings, data_dir=work / "serving", port=port, log_level="WARNING", **overrides)
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_config=None,
                                           access_log=False))  # fmt: skip
    task = asyncio.create_task(server.serve())
    while not server.started:  # uvicorn exposes no event for this
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    bus = create_bus(bus_settings)
    await bus.start()
    try:
        spec = {"kind": "SeldonDeployment", "metadata": {"name": "iris", "namespace": "bench"}, "spec": {"predictors": [
            {"name": "default", "graph": {"name": "classifier", "implementation": "SKLEARN_SERVER",
                                          "modelUri": models["iris-sklearn"]}}]}}  # fmt: skip
        data = {"namespace": "bench", "name": "iris", "kind": "SeldonDeployment", "spec": spec, "actor": "bench"}
        await bus.publish(build_event(DEPLOYMENT_CREATED, data, source="/bench"), topic=DEPLOYMENTS, key="bench/iris")
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(timeout=60, trust_env=False) as client, asyncio.timeout(180):
            while (await client.get(f"{base}/seldon/bench/iris/v2/health/ready")).status_code != 200:  # noqa: ASYNC110
                await asyncio.sleep(0.2)
        yield base
    finally:
        await bus.close()
        server.should_exit = True
        await task
