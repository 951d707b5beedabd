"""Demo 5.1.13 of the seed (project-based authorization) through the HTTP API, with auth on, on real PostgreSQL.

alice (no group) may read and write projects default, iris and income; bob (data-scientist) may write only
default and read iris. Each deploys what the demo deploys; each sees only what their projects allow.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from warden_common.events import DEPLOYMENT_CREATED, DEPLOYMENT_UPDATED
from warden_common.testing.auth import DEMO_5_1_13_POLICY
from warden_common.testing.waiting import eventually

from .conftest import API, AuthGateway, load

pytestmark = pytest.mark.integration

SEED_POLICY = DEMO_5_1_13_POLICY
SDEPS = f"{API}/namespaces/seldon/seldondeployments"


def deployment(name: str, project: str) -> dict[str, Any]:
    """The demo's iris deployment, its model registered in `project` (as Deploy from the catalog annotates it)."""
    body: dict[str, Any] = copy.deepcopy(load("iris-sklearn.yaml"))
    body["metadata"]["name"] = name
    body["metadata"]["annotations"] = {"project.seldon.io/iris-default": project}
    return body


async def test_alice_and_bob_see_the_deployments_of_their_projects(auth_gateway: AuthGateway) -> None:
    gw = auth_gateway
    await gw.set_policy(SEED_POLICY)
    alice = await gw.add_user("alice", [])
    bob = await gw.add_user("bob", ["data-scientist"])

    for name, project in (("iris-default", "default"), ("iris-iris", "iris"), ("income", "income")):
        created = await gw.client.post(SDEPS, json=deployment(name, project), headers=alice)
        assert created.status_code == 201, created.text

    def names(listing: dict[str, Any]) -> list[str]:
        return sorted(item["metadata"]["name"] for item in listing["items"])

    assert names((await gw.client.get(SDEPS, headers=alice)).json()) == ["income", "iris-default", "iris-iris"]
    assert names((await gw.client.get(SDEPS, headers=bob)).json()) == ["iris-default", "iris-iris"]

    hidden = await gw.client.get(f"{SDEPS}/income", headers=bob)
    assert hidden.status_code == 403
    assert "project(s) income" in hidden.json()["message"]
    assert (await gw.client.get(f"{SDEPS}/iris-iris", headers=bob)).status_code == 200

    # bob only reads iris: he can neither change nor delete it, nor move a deployment into it
    assert (await gw.client.delete(f"{SDEPS}/iris-iris", headers=bob)).status_code == 403
    assert (
        await gw.client.put(f"{SDEPS}/iris-iris", json=deployment("iris-iris", "iris"), headers=bob)
    ).status_code == 403
    moved = await gw.client.put(f"{SDEPS}/iris-default", json=deployment("iris-default", "iris"), headers=bob)
    assert moved.status_code == 403
    refused = await gw.client.post(SDEPS, json=deployment("bobs-iris", "iris"), headers=bob)
    assert refused.status_code == 403
    # ... but writes the default project, and his change is recorded as his
    replaced = await gw.client.put(f"{SDEPS}/iris-default", json=deployment("iris-default", "default"), headers=bob)
    assert replaced.status_code == 200, replaced.text

    def actors(kind: str) -> dict[str, str]:
        found = {}
        for event in gw.events:
            data = event.get_data()
            payload = json.loads(data) if isinstance(data, (bytes, str)) else data
            assert isinstance(payload, dict)
            if event.get_type() == kind:
                found[payload["name"]] = payload["actor"]
        return found

    created_by = await eventually(lambda: len(found := actors(DEPLOYMENT_CREATED)) == 3 and found, "3 created")
    assert created_by == {"iris-default": "alice", "iris-iris": "alice", "income": "alice"}
    assert await eventually(lambda: actors(DEPLOYMENT_UPDATED), "the update") == {"iris-default": "bob"}


async def test_moving_a_deployment_to_another_project_takes_effect_on_the_next_request(
    auth_gateway: AuthGateway,
) -> None:
    """A deployment's projects are remembered between policy refreshes; a write through the gateway forgets them."""
    gw = auth_gateway
    await gw.set_policy(SEED_POLICY)
    alice = await gw.add_user("alice", [])
    bob = await gw.add_user("bob", ["data-scientist"])
    created = await gw.client.post(SDEPS, json=deployment("movable", "iris"), headers=alice)
    assert created.status_code == 201, created.text

    for _ in range(3):  # read, then answered from memory
        assert (await gw.client.get(f"{SDEPS}/movable", headers=bob)).status_code == 200
    moved = await gw.client.put(f"{SDEPS}/movable", json=deployment("movable", "income"), headers=alice)
    assert moved.status_code == 200, moved.text
    hidden = await gw.client.get(f"{SDEPS}/movable", headers=bob)
    assert hidden.status_code == 403, "bob still reads a deployment moved out of his projects"
    assert "project(s) income" in hidden.json()["message"]
