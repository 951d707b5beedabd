"""Namespace-label authorization (docs 7.6) through the HTTP API, with auth on, on real PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import FastAPI

from .conftest import API, AuthGateway, admin_and_bus, auth_gateway_app, auth_settings, load

pytestmark = pytest.mark.integration


@pytest.fixture
async def labels_gateway(
    fresh_database: str, serving_stub: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[AuthGateway]:
    async with (
        admin_and_bus(fresh_database, monkeypatch) as bus,
        auth_gateway_app(fresh_database, serving_stub, auth_settings(mode="labels"), bus) as gw,
    ):
        yield gw


def iris_in(namespace: str) -> dict[str, Any]:
    body: dict[str, Any] = load("iris-sklearn.yaml")
    body["metadata"]["namespace"] = namespace
    return body


async def test_labels_decide_who_sees_and_changes_a_namespace(labels_gateway: AuthGateway) -> None:
    gw = labels_gateway
    admin = await gw.admin()
    namespaces = {
        "team-a": {"seldon.restricted": "true", "seldon.group.data-scientist": "read", "seldon.user.carol": "write"},
        "unlabelled": {},
    }
    for name, labels in namespaces.items():
        created = await gw.client.post(f"{API}/namespaces", json={"name": name, "labels": labels}, headers=admin)
        assert created.status_code == 201, created.text
    bob = await gw.add_user("bob", ["data-scientist"])
    carol = await gw.add_user("carol", [])
    dave = await gw.add_user("dave", ["ops"])

    async def visible(headers: dict[str, str]) -> list[str]:
        return sorted(ns["name"] for ns in (await gw.client.get(f"{API}/namespaces", headers=headers)).json())

    assert await visible(admin) == ["seldon", "team-a", "unlabelled"]
    assert await visible(bob) == ["seldon", "team-a"]
    assert await visible(carol) == ["seldon", "team-a"]
    assert await visible(dave) == ["seldon"]  # restricted without a label for him; unlabelled is invisible to all

    team_a = f"{API}/namespaces/team-a/seldondeployments"
    assert (await gw.client.post(team_a, json=iris_in("team-a"), headers=bob)).status_code == 403
    created = await gw.client.post(team_a, json=iris_in("team-a"), headers=carol)
    assert created.status_code == 201, created.text
    assert (await gw.client.get(f"{team_a}/iris", headers=bob)).status_code == 200
    assert (await gw.client.delete(f"{team_a}/iris", headers=bob)).status_code == 403
    assert (await gw.client.get(f"{team_a}/iris", headers=dave)).status_code == 403
    unlabelled = f"{API}/namespaces/unlabelled/seldondeployments"
    assert (await gw.client.get(unlabelled, headers=carol)).status_code == 403
    # "false" opens a namespace to everyone, writes included
    seldon = f"{API}/namespaces/seldon/seldondeployments"
    assert (await gw.client.post(seldon, json=iris_in("seldon"), headers=dave)).status_code == 201

    # relabelling takes effect at once: bob gets write on team-a
    labels = {**namespaces["team-a"], "seldon.group.data-scientist": "write"}
    relabel = await gw.client.put(f"{API}/namespaces/team-a", json={"name": "team-a", "labels": labels}, headers=admin)
    assert relabel.status_code == 200, relabel.text
    assert (await gw.client.delete(f"{team_a}/iris", headers=bob)).status_code == 200
    # and only administrators relabel
    assert (await gw.client.put(f"{API}/namespaces/team-a", json={"name": "team-a"}, headers=carol)).status_code == 403
