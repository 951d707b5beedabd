"""Runtime metadata (`/model/metadata/runtime`: which model runs in which deployment) shows each caller only the
deployments they may read, as deployment lists do: namespace labels in `labels` mode, namespace and project grants
in `policies` mode. The real metadata service runs in-process behind the gateway and builds its runtime table from
the gateway's deployment events on the real PostgreSQL bus."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from fastapi import FastAPI

from warden_common.platform import Platform
from warden_common.testing.auth import DEMO_5_1_13_POLICY
from warden_common.testing.waiting import eventually
from warden_metadata.main import create_app as create_metadata_app

from .conftest import API, AuthGateway, admin_and_bus, auth_gateway_app, auth_settings, load

pytestmark = pytest.mark.integration

RUNTIME = f"{API}/model/metadata/runtime"
Opener = Callable[[str], Any]


@pytest.fixture
def open_gateway(fresh_database: str, serving_stub: FastAPI, monkeypatch: pytest.MonkeyPatch) -> Opener:
    """`open_gateway(mode)`: a gateway with auth on in that mode and the metadata service behind it."""

    @asynccontextmanager
    async def opened(mode: str) -> AsyncIterator[AuthGateway]:
        async with admin_and_bus(fresh_database, monkeypatch) as bus:
            metadata = create_metadata_app(platform=Platform(mode="standalone", bus=bus, database_dsn=fresh_database))
            settings = auth_settings(mode=mode)
            async with (
                metadata.router.lifespan_context(metadata),
                auth_gateway_app(fresh_database, serving_stub, settings, bus, metadata=metadata) as gw,
            ):
                yield gw

    return opened


def iris(namespace: str, name: str, project: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = copy.deepcopy(load("iris-sklearn.yaml"))
    body["metadata"].update(namespace=namespace, name=name)
    if project is not None:
        body["metadata"]["annotations"] = {"project.seldon.io/iris-default": project}
    return body


async def deploy(gw: AuthGateway, headers: dict[str, str], body: dict[str, Any]) -> None:
    namespace = body["metadata"]["namespace"]
    created = await gw.client.post(f"{API}/namespaces/{namespace}/seldondeployments", json=body, headers=headers)
    assert created.status_code == 201, created.text


async def running(gw: AuthGateway, headers: dict[str, str]) -> list[str]:
    answer = await gw.client.get(RUNTIME, headers=headers)
    assert answer.status_code == 200, answer.text
    return sorted(f"{e['deploymentNamespace']}/{e['deploymentName']}" for e in answer.json()["runtimeMetadata"])


async def _count(gw: AuthGateway, headers: dict[str, str], count: int) -> bool:
    return len(await running(gw, headers)) >= count


async def test_labels_mode_shows_the_deployments_of_readable_namespaces(open_gateway: Opener) -> None:
    async with open_gateway("labels") as gw:
        admin = await gw.admin()
        labels = {
            "open": {"seldon.restricted": "false"},
            "team-a": {"seldon.restricted": "true", "seldon.user.carol": "read"},
        }
        for name, namespace_labels in labels.items():
            body = {"name": name, "labels": namespace_labels}
            assert (await gw.client.post(f"{API}/namespaces", json=body, headers=admin)).status_code == 201
        carol = await gw.add_user("carol", [])
        dave = await gw.add_user("dave", [])
        await deploy(gw, admin, iris("open", "shared"))
        await deploy(gw, admin, iris("team-a", "secret"))
        await eventually(lambda: _count(gw, admin, 2), "both deployments in the runtime metadata")

        assert await running(gw, admin) == ["open/shared", "team-a/secret"]
        assert await running(gw, carol) == ["open/shared", "team-a/secret"]
        assert await running(gw, dave) == ["open/shared"]
        filtered = await gw.client.get(RUNTIME, params={"DeploymentNamespace": "team-a"}, headers=dave)
        assert filtered.json()["runtimeMetadata"] == []


async def test_policies_mode_also_needs_the_deployments_projects(open_gateway: Opener) -> None:
    async with open_gateway("policies") as gw:
        admin = await gw.admin()
        await gw.set_policy(DEMO_5_1_13_POLICY)
        alice = await gw.add_user("alice", [])
        bob = await gw.add_user("bob", ["data-scientist"])
        assert (await gw.client.post(f"{API}/namespaces", json={"name": "private"}, headers=admin)).status_code == 201
        for name, project in (("iris-default", None), ("iris-iris", "iris"), ("income", "income")):
            await deploy(gw, alice, iris("seldon", name, project))
        await deploy(gw, admin, iris("private", "hidden"))
        await eventually(lambda: _count(gw, admin, 4), "four deployments in the runtime metadata")

        everything = ["private/hidden", "seldon/income", "seldon/iris-default", "seldon/iris-iris"]
        assert await running(gw, admin) == everything
        assert await running(gw, alice) == ["seldon/income", "seldon/iris-default", "seldon/iris-iris"]
        assert await running(gw, bob) == ["seldon/iris-default", "seldon/iris-iris"]
