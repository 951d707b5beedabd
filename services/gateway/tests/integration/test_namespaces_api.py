"""Namespaces over the real database: labels for visibility and GitOps stored and returned, names validated."""

from __future__ import annotations

import pytest

from .conftest import API, Gateway

pytestmark = pytest.mark.integration


async def test_the_demo_namespace_exists_and_is_visible_to_everyone(gateway: Gateway) -> None:
    listed = (await gateway.client.get(f"{API}/namespaces")).json()
    seldon = next(ns for ns in listed if ns["name"] == "seldon")
    assert seldon["labels"] == {"seldon.restricted": "false"}
    assert seldon["status"] == {"phase": "Active"}


async def test_create_read_relabel_and_delete(gateway: Gateway) -> None:
    body = {
        "name": "staging",
        "labels": {
            "seldon.restricted": "true",
            "seldon.group.admins": "write",
            "seldon.user.alice": "read",
            "seldon.gitops": "enabled",
        },
        "annotations": {"git-repo": "file:///srv/git/staging.git"},
    }
    created = await gateway.client.post(f"{API}/namespaces", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["labels"] == body["labels"]
    assert created.json()["annotations"] == body["annotations"]
    assert created.json()["uid"] and created.json()["creationTimestamp"].endswith("Z")

    again = await gateway.client.post(f"{API}/namespaces", json=body)
    assert again.status_code == 409
    assert "already exists" in again.json()["message"]

    read = (await gateway.client.get(f"{API}/namespaces/staging")).json()
    assert read == created.json()
    assert "staging" in [ns["name"] for ns in (await gateway.client.get(f"{API}/namespaces")).json()]

    relabel = {"labels": {"seldon.restricted": "false"}, "resourceVersion": read["resourceVersion"]}
    updated = await gateway.client.put(f"{API}/namespaces/staging", json=relabel)
    assert updated.status_code == 200, updated.text
    assert updated.json()["labels"] == {"seldon.restricted": "false"}
    assert updated.json()["annotations"] == {}
    assert int(updated.json()["resourceVersion"]) > int(read["resourceVersion"])

    stale = await gateway.client.put(f"{API}/namespaces/staging", json=relabel)
    assert stale.status_code == 409
    assert stale.json()["reason"] == "stale_resource_version"

    assert (await gateway.client.delete(f"{API}/namespaces/staging")).status_code == 200
    missing = await gateway.client.get(f"{API}/namespaces/staging")
    assert missing.status_code == 404
    assert "staging" in missing.json()["message"]


async def test_yaml_and_kubernetes_shaped_bodies(gateway: Gateway) -> None:
    manifest = b"metadata:\n  name: from-kubectl\n  labels:\n    seldon.restricted: 'false'\n"
    created = await gateway.client.post(
        f"{API}/namespaces", content=manifest, headers={"Content-Type": "application/yaml"}
    )
    assert created.status_code == 201, created.text
    assert created.json()["name"] == "from-kubectl"
    assert created.json()["labels"] == {"seldon.restricted": "false"}


@pytest.mark.parametrize(
    ("body", "paths"),
    [
        ({"name": "Bad_Name"}, ["name"]),
        ({"name": "x" * 64}, ["name"]),
        ({"name": "ok", "labels": {"seldon.restricted": "maybe"}}, ["labels.seldon.restricted"]),
        ({"name": "ok", "labels": {"seldon.group.devs": "admin"}}, ["labels.seldon.group.devs"]),
        ({"name": "ok", "labels": {"seldon.gitops": "enabled"}}, ["annotations.git-repo"]),
        ({"name": "ok", "labels": {"bad key!": "v", "k": "not a valid value"}}, ["labels.bad key!", "labels.k"]),
        ({"name": "ok", "annotations": {"a": 1}}, ["annotations.a"]),
    ],
)
async def test_invalid_namespaces_are_refused_with_every_problem(
    gateway: Gateway, body: dict[str, object], paths: list[str]
) -> None:
    answer = await gateway.client.post(f"{API}/namespaces", json=body)
    assert answer.status_code == 422, answer.text
    assert sorted(d["path"] for d in answer.json()["details"]) == sorted(paths)


async def test_a_namespace_with_deployments_cannot_be_deleted(gateway: Gateway) -> None:
    from .conftest import load

    created = await gateway.client.post(f"{API}/namespaces/seldon/seldondeployments", json=load("iris-sklearn.yaml"))
    assert created.status_code == 201, created.text
    refused = await gateway.client.delete(f"{API}/namespaces/seldon")
    assert refused.status_code == 409
    assert "1 deployment" in refused.json()["message"]


async def test_deployments_need_an_existing_namespace(gateway: Gateway) -> None:
    from .conftest import load

    spec = load("income-with-explainer.json")
    answer = await gateway.client.post(f"{API}/namespaces/nowhere/seldondeployments", json=spec)
    assert answer.status_code == 404
    assert "nowhere" in answer.json()["message"]
    assert (await gateway.client.get(f"{API}/namespaces/nowhere/seldondeployments")).status_code == 404
