"""A real serving service for the tests: uvicorn on a free port, a real bus, real MLServer processes.

Deployments are made the way the gateway makes them: by publishing `io.warden.deployment.*` events.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
import uvicorn

from warden_common.bus.factory import create_bus
from warden_common.bus.port import Bus
from warden_common.codec import Event
from warden_common.events import DEPLOYMENT_CREATED, DEPLOYMENT_DELETED, DEPLOYMENT_UPDATED, build_event
from warden_common.settings import BusSettings
from warden_common.testing.waiting import eventually
from warden_common.topics import DEPLOYMENTS, INFERENCE
from warden_serving.main import create_app
from warden_serving.settings import ServingSettings

WAIT_S = 120.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def seldon_deployment(namespace: str, name: str, predictors: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "apiVersion": "machinelearning.seldon.io/v1",
        "kind": "SeldonDeployment",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"name": name, "protocol": "seldon", "predictors": predictors},
    }


def predictor(name: str, implementation: str, uri: str, *, traffic: int | None = None, shadow: bool = False,
              replicas: int = 1, graph_name: str = "classifier") -> dict[str, Any]:  # fmt: skip
    entry: dict[str, Any] = {
        "name": name,
        "replicas": replicas,
        "graph": {"name": graph_name, "implementation": implementation, "modelUri": uri, "children": []},
    }
    if traffic is not None:
        entry["traffic"] = traffic
    if shadow:
        entry["shadow"] = True
    return entry


def json_object(event: Event) -> dict[str, Any]:
    """The data of an event the test knows carries a JSON object."""
    data = event.get_data()
    assert isinstance(data, dict), f"{event!r} carries {type(data).__name__} data, not a JSON object"
    return data


@dataclass
class Collected:
    events: list[Event] = field(default_factory=list)

    def where(self, predicate: Callable[[Event], bool]) -> list[Event]:
        return [e for e in self.events if predicate(e)]

    async def wait_for(self, predicate: Callable[[list[Event]], bool], within_s: float = WAIT_S) -> None:
        async with asyncio.timeout(within_s):
            while not predicate(self.events):  # noqa: ASYNC110 - events arrive from a bus subscription
                await asyncio.sleep(0.1)


class Serving:
    def __init__(self, base_url: str, bus: Bus, namespace: str) -> None:
        self.base_url = base_url
        self.bus = bus  # the "gateway" side: publishes deployment events, reads what serving publishes
        self.namespace = namespace
        self.http = httpx.AsyncClient(base_url=base_url, timeout=60.0)
        self.app: Any = None

    def data_url(self, name: str, path: str) -> str:
        return f"/seldon/{self.namespace}/{name}{path}"

    async def publish_spec(self, name: str, spec: dict[str, Any], *, created: bool = True) -> None:
        data = {"namespace": self.namespace, "name": name, "kind": spec["kind"], "spec": spec, "actor": "test"}
        event = build_event(DEPLOYMENT_CREATED if created else DEPLOYMENT_UPDATED, data, source="/warden/gateway")
        await self.bus.publish(event, topic=DEPLOYMENTS, key=f"{self.namespace}/{name}")

    async def delete(self, name: str) -> None:
        data = {"namespace": self.namespace, "name": name, "kind": "SeldonDeployment", "actor": "test"}
        event = build_event(DEPLOYMENT_DELETED, data, source="/warden/gateway")
        await self.bus.publish(event, topic=DEPLOYMENTS, key=f"{self.namespace}/{name}")

    async def overview(self, name: str) -> dict[str, Any] | None:
        response = await self.http.get("/api/v1alpha1/runtime/deployments")
        response.raise_for_status()
        for entry in response.json()["deployments"]:
            if entry["namespace"] == self.namespace and entry["name"] == name:
                return dict(entry)
        return None

    async def wait_status(self, name: str, status: str, *, routed: list[str] | None = None,
                          within_s: float = WAIT_S) -> dict[str, Any]:  # fmt: skip
        last = None
        try:
            async with asyncio.timeout(within_s):
                while True:
                    last = await self.overview(name)
                    if last and last["status"] == status and (routed is None or last["routed"] == routed):
                        return last
                    await asyncio.sleep(0.2)
        except TimeoutError:
            raise AssertionError(f"{name} never reached {status} (routed {routed}); last: {last}") from None

    async def resources(self, name: str, plural: str = "seldondeployments") -> dict[str, Any]:
        """The runtime's processes view of a deployment (pids, ports, states, log lines)."""
        path = f"/api/v1alpha1/namespaces/{self.namespace}/{plural}/{name}/resources"
        response = await self.http.get(path, params={"view": "processes"})
        response.raise_for_status()
        return dict(response.json())

    async def replica_pids(self, name: str, plural: str = "seldondeployments") -> list[int]:
        """The process ids of every MLServer replica a deployment runs now."""
        predictors = (await self.resources(name, plural))["predictors"]
        return [r["pid"] for p in predictors for r in p["replicas"] if r.get("pid")]

    async def components(self, name: str, plural: str = "seldondeployments") -> list[dict[str, Any]]:
        """The public `{base}/resources` answer: Seldon Deploy's list of Components."""
        response = await self.http.get(f"/api/v1alpha1/namespaces/{self.namespace}/{plural}/{name}/resources")
        response.raise_for_status()
        return list(response.json())

    async def collect(self, topic: str, group: str) -> Collected:
        collected = Collected()

        def ours(event: Event) -> bool:
            if event.get_extension("namespace") == self.namespace:
                return True
            data = event.get_data()  # only read when needed: reading decodes it
            return isinstance(data, dict) and data.get("namespace") == self.namespace

        async def handle(event: Event) -> None:
            if ours(event):
                collected.events.append(event)

        await self.bus.subscribe(topic, group=group, handler=handle)
        return collected


async def wait_exited(pids: list[int], what: str) -> None:
    """Wait until none of `pids` is alive any more (the runtime reaps its children, so a gone pid is gone)."""
    await eventually(lambda: not any(map(psutil.pid_exists, pids)), f"{what} ({pids}) exited", within_s=WAIT_S)


@contextlib.asynccontextmanager
async def run_serving(bus_settings: BusSettings, mlserver_bin: str, data_dir: Path, namespace: str,
                      **overrides: Any) -> AsyncIterator[Serving]:  # fmt: skip
    port = free_port()
    settings = ServingSettings(
        bus=bus_settings, mlserver_bin=Path(mlserver_bin), data_dir=data_dir, port=port, **overrides
    )
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False))
    task = asyncio.create_task(server.serve())
    async with asyncio.timeout(60):
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.05)
    bus = create_bus(bus_settings)
    await bus.start()
    serving = Serving(f"http://127.0.0.1:{port}", bus, namespace)
    serving.app = app
    try:
        yield serving
    finally:
        await serving.http.aclose()
        await bus.close()
        server.should_exit = True
        await task


__all__ = ["INFERENCE", "Serving", "predictor", "run_serving", "seldon_deployment"]
