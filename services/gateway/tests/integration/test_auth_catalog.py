"""Demo 5.1.13 steps 6-7 on the model catalog: with the seed's policy, bob sees the default and iris models but not
the income one, and cannot modify or delete the iris model; every change names its user on the bus and in the
catalog, whatever `X-Warden-User` the client sends. The real metadata service runs in-process behind the gateway,
on the same real PostgreSQL database and bus."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from fastapi import FastAPI

from warden_common import topics
from warden_common.codec import Event
from warden_common.events import MODEL_DELETED, MODEL_REGISTERED, MODEL_UPDATED
from warden_common.platform import Platform
from warden_common.testing.auth import DEMO_5_1_13_POLICY
from warden_common.testing.waiting import eventually
from warden_metadata.main import create_app as create_metadata_app

from .conftest import API, AuthGateway, admin_and_bus, auth_gateway_app, auth_settings

pytestmark = pytest.mark.integration

CATALOG = f"{API}/model/metadata"


@pytest.fixture
async def catalog_gateway(
    fresh_database: str, unique_name: str, serving_stub: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[AuthGateway]:
    async with admin_and_bus(fresh_database, monkeypatch) as bus:
        metadata = create_metadata_app(platform=Platform(mode="standalone", bus=bus, database_dsn=fresh_database))
        async with (
            metadata.router.lifespan_context(metadata),
            auth_gateway_app(fresh_database, serving_stub, auth_settings(), bus, metadata=metadata) as gw,
        ):

            async def collect(event: Event) -> None:
                gw.events.append(event)

            await bus.subscribe(topics.MODELS, group=f"test-models-{unique_name}", handler=collect)
            yield gw


def model(uri: str, name: str, project: str) -> dict[str, Any]:
    return {"URI": uri, "name": name, "version": "1.0", "artifactType": "SKLEARN", "project": project}


async def test_bob_sees_and_changes_only_the_models_his_projects_allow(catalog_gateway: AuthGateway) -> None:
    gw = catalog_gateway
    await gw.set_policy(DEMO_5_1_13_POLICY)
    alice = await gw.add_user("alice", [])
    bob = await gw.add_user("bob", ["data-scientist"])
    models = [
        model("gs://seldon-models/sklearn/iris", "iris-default", "default"),
        model("gs://seldon-models/sklearn/iris-v2", "iris-iris", "iris"),
        model("gs://seldon-models/sklearn/income/model-0.23.2", "income", "income"),
    ]
    for entry in models:
        registered = await gw.client.post(CATALOG, json=entry, headers=alice)
        assert registered.status_code == 200, registered.text

    def names(page: dict[str, Any]) -> list[str]:
        return sorted(m["name"] for m in page["models"])

    assert names((await gw.client.get(CATALOG, headers=alice)).json()) == ["income", "iris-default", "iris-iris"]
    assert names((await gw.client.get(CATALOG, headers=bob)).json()) == ["iris-default", "iris-iris"]

    iris = models[1]
    changed = {**iris, "tags": {"owner": "bob"}}
    assert (await gw.client.put(CATALOG, json=changed, headers=bob)).status_code == 403
    deleted = await gw.client.delete(CATALOG, params={"URI": iris["URI"]}, headers=bob)
    assert deleted.status_code == 403
    assert "project(s) iris" in deleted.json()["message"]
    # moving a default-project model into iris needs write on iris too
    moved = await gw.client.put(CATALOG, json={**models[0], "project": "iris"}, headers=bob)
    assert moved.status_code == 403
    assert (await gw.client.post(CATALOG, json=model("gs://x/y", "bobs", "income"), headers=bob)).status_code == 403
    # bob writes the default project
    retagged = await gw.client.put(CATALOG, json={**models[0], "tags": {"owner": "bob"}}, headers=bob)
    assert retagged.status_code == 200, retagged.text
    # alice may change iris
    assert (await gw.client.put(CATALOG, json=changed, headers=alice)).status_code == 200
    assert (await gw.client.delete(CATALOG, params={"URI": iris["URI"]}, headers=alice)).status_code == 200


def model_events(gw: AuthGateway, uri: str) -> list[tuple[str, str | None]]:
    """(type, actor) of the model events about `uri` collected so far, in order."""
    found = []
    for event in gw.events:
        data = event.get_data()
        payload = json.loads(data) if isinstance(data, (bytes, str)) else data
        if isinstance(payload, dict) and payload.get("uri") == uri:
            found.append((str(event.get_type()), payload.get("actor")))
    return found


async def test_catalog_changes_record_the_token_user_not_a_forged_header(
    catalog_gateway: AuthGateway, fresh_database: str
) -> None:
    gw = catalog_gateway
    alice = await gw.add_user("alice", [])  # policy mode's initial policy: everyone writes project/default
    forged = {**alice, "X-Warden-User": "mallory"}
    entry = model("gs://seldon-models/sklearn/actor-check", "actor-check", "default")
    assert (await gw.client.post(CATALOG, json=entry, headers=forged)).status_code == 200
    conn = await asyncpg.connect(fresh_database)
    try:
        row = await conn.fetchrow(
            "SELECT created_by, updated_by FROM warden_metadata.models WHERE uri = $1", entry["URI"]
        )
        assert tuple(row) == ("alice", "alice")
        admin = {**await gw.admin(), "x-warden-user": "mallory"}
        changed = await gw.client.put(CATALOG, json={**entry, "tags": {"owner": "root"}}, headers=admin)
        assert changed.status_code == 200, changed.text
        row = await conn.fetchrow(
            "SELECT created_by, updated_by FROM warden_metadata.models WHERE uri = $1", entry["URI"]
        )
        assert tuple(row) == ("alice", "root")
    finally:
        await conn.close()
    deleted = await gw.client.delete(CATALOG, params={"URI": entry["URI"]}, headers=forged)
    assert deleted.status_code == 200, deleted.text

    expected = [(MODEL_REGISTERED, "alice"), (MODEL_UPDATED, "root"), (MODEL_DELETED, "alice")]
    await eventually(lambda: len(model_events(gw, entry["URI"])) >= 3, "three model events")
    assert model_events(gw, entry["URI"]) == expected
