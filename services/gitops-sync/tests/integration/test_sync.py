"""Repository -> runtime: commits others push are applied (poll and webhook); concurrent writers lose nothing;
an unreachable remote rejects the change clearly."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from warden_common.testing.waiting import eventually

from .conftest import API, POLL_S, Warden, git, seldon_deployment

pytestmark = pytest.mark.integration


def base(namespace: str, name: str) -> str:
    return f"{API}/namespaces/{namespace}/seldondeployments/{name}"


async def create(warden: Warden, namespace: str, name: str, uri: str = "gs://models/iris-v1") -> None:
    answer = await warden.client.post(
        f"{API}/namespaces/{namespace}/seldondeployments", json=seldon_deployment(namespace, name, uri)
    )
    assert answer.status_code == 201, answer.text


async def model_uri(warden: Warden, namespace: str, name: str) -> str | None:
    answer = await warden.client.get(base(namespace, name))
    if answer.status_code == 404:
        return None
    uri: str = answer.json()["spec"]["predictors"][0]["graph"]["modelUri"]
    return uri


async def wait_for_uri(warden: Warden, namespace: str, name: str, expected: str | None, within_s: float) -> None:
    async def arrived() -> bool:
        return await model_uri(warden, namespace, name) == expected

    await eventually(arrived, f"{namespace}/{name} serving {expected}", within_s=within_s)


def push_edit(clone: Path, path: str, change: Any, message: str) -> str:
    """Another writer: pull, edit (or delete, `change=None`) one file, commit as bob, push; the new commit."""
    git(clone, "pull", "--quiet", "--rebase")
    target = clone / path
    if change is None:
        git(clone, "rm", "--quiet", path)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(yaml.safe_dump(change, sort_keys=False))
        git(clone, "add", path)
    git(clone, "commit", "--quiet", "-m", message)
    git(clone, "push", "--quiet", "origin", "HEAD:main")
    commit: str = git(clone, "rev-parse", "HEAD").strip()
    return commit


async def test_a_commit_pushed_by_someone_else_is_applied_within_the_poll_interval(
    warden: Warden, tmp_path: Path
) -> None:
    await warden.namespace("team", gitops=True)
    await create(warden, "team", "iris")
    clone = warden.clone(tmp_path / "bob")
    commit = push_edit(clone, "team/iris.yaml", seldon_deployment("team", "iris", "gs://models/iris-v3"), "use v3")

    await wait_for_uri(warden, "team", "iris", "gs://models/iris-v3", within_s=10 * POLL_S)
    logs = (await warden.client.get(f"{base('team', 'iris')}/gitlogs")).json()
    assert (logs[0]["Hash"], logs[0]["AuthorName"], logs[0]["Message"]) == (commit, "bob", "use v3")
    status = (await warden.client.get(f"{API}/namespaces/team/gitops-status")).json()
    assert status["gitops"] is True and status["lastSyncedCommit"] == commit and status["lastError"] is None
    assert status["remote"] == str(warden.remote)

    # A new file is a new deployment; a removed file a deleted one.
    push_edit(clone, "team/wine.yaml", seldon_deployment("team", "wine", "gs://models/wine"), "add wine")
    await wait_for_uri(warden, "team", "wine", "gs://models/wine", within_s=10 * POLL_S)
    push_edit(clone, "team/iris.yaml", None, "retire iris")
    await wait_for_uri(warden, "team", "iris", None, within_s=10 * POLL_S)


@pytest.mark.parametrize("poll_s", [0.0])
async def test_the_webhook_syncs_at_once(warden: Warden, tmp_path: Path) -> None:
    await warden.namespace("team", gitops=True)
    await create(warden, "team", "iris")
    clone = warden.clone(tmp_path / "bob")
    commit = push_edit(clone, "team/iris.yaml", seldon_deployment("team", "iris", "gs://models/iris-v3"), "use v3")
    await asyncio.sleep(1.0)
    assert await model_uri(warden, "team", "iris") == "gs://models/iris-v1"  # no poller: nothing happened yet

    answer = await warden.client.post(f"{API}/namespaces/team/gitops-sync")
    assert answer.status_code == 200 and answer.json()["head"] == commit
    await wait_for_uri(warden, "team", "iris", "gs://models/iris-v3", within_s=5)
    plain = await warden.client.post(f"{API}/namespaces/other/gitops-sync")
    assert plain.status_code == 404


@pytest.mark.parametrize("poll_s", [0.0])
async def test_a_remote_that_moved_is_rebased_on_and_a_change_to_the_same_file_is_a_conflict(
    warden: Warden, tmp_path: Path
) -> None:
    await warden.namespace("team", gitops=True)
    await create(warden, "team", "iris")
    await create(warden, "team", "wine", "gs://models/wine-v1")
    clone = warden.clone(tmp_path / "bob")

    # bob changes wine; Warden has not synced it when alice changes iris: her push is refused, Warden fetches,
    # applies bob's commit, puts hers on top and pushes again. Both changes are in git and in the runtime.
    push_edit(clone, "team/wine.yaml", seldon_deployment("team", "wine", "gs://models/wine-v2"), "wine v2")
    canary = await warden.client.post(f"{base('team', 'iris')}/canary", json={"modelUri": "gs://models/iris-v2"})
    assert canary.status_code == 200, canary.text
    assert git(warden.remote, "log", "--format=%s", "main").splitlines()[:2] == ["Canary added", "wine v2"]
    await wait_for_uri(warden, "team", "wine", "gs://models/wine-v2", within_s=5)

    # bob changes iris; alice changes iris before Warden synced bob's commit: a clear conflict, nothing applied.
    push_edit(clone, "team/iris.yaml", seldon_deployment("team", "iris", "gs://models/iris-bob"), "bob's iris")
    refused = await warden.client.post(f"{base('team', 'iris')}/canary/promote")
    assert refused.status_code == 409 and refused.json()["reason"] == "git_conflict", refused.text
    assert "bob" in refused.json()["message"]
    await wait_for_uri(warden, "team", "iris", "gs://models/iris-bob", within_s=5)


async def test_concurrent_changes_to_one_deployment_lose_nothing(warden: Warden) -> None:
    await warden.namespace("team", gitops=True)
    await create(warden, "team", "iris")
    uris = [f"gs://models/iris-{i}" for i in range(6)]

    async def put(uri: str) -> int:
        body = seldon_deployment("team", "iris", uri)
        answer = await warden.client.put(base("team", "iris"), json=body, headers={"X-Warden-User": uri[-6:]})
        status: int = answer.status_code
        return status

    assert await asyncio.gather(*(put(uri) for uri in uris)) == [200] * len(uris)
    # Every change is a commit, in the order they were applied; the last one is what runs and what git holds.
    messages = git(warden.remote, "log", "--format=%an", "main").splitlines()
    assert sorted(messages[:6]) == sorted(uri[-6:] for uri in uris) and len(messages) == 7
    in_git = yaml.safe_load(git(warden.remote, "show", "main:team/iris.yaml"))
    running = await model_uri(warden, "team", "iris")
    assert running == in_git["spec"]["predictors"][0]["graph"]["modelUri"] == f"gs://models/{messages[0]}"


async def test_an_unreachable_remote_rejects_the_change_and_nothing_is_applied(warden: Warden) -> None:
    await warden.namespace("team", gitops=True)
    await create(warden, "team", "iris")
    shutil.move(str(warden.remote), str(warden.remote) + ".away")  # the remote is gone

    answer = await warden.client.put(base("team", "iris"), json=seldon_deployment("team", "iris", "gs://models/v9"))
    assert answer.status_code == 503, answer.text
    body = answer.json()
    assert body["reason"] == "git_remote_unavailable" and "not applied" in body["message"]
    assert str(warden.remote) in body["message"]
    assert await model_uri(warden, "team", "iris") == "gs://models/iris-v1"
    new = await warden.client.post(
        f"{API}/namespaces/team/seldondeployments", json=seldon_deployment("team", "wine", "gs://models/wine")
    )
    assert new.status_code == 503 and await model_uri(warden, "team", "wine") is None
    assert len((await warden.client.get(f"{base('team', 'iris')}/gitlogs")).json()) == 1  # the local undo

    shutil.move(str(warden.remote) + ".away", str(warden.remote))  # back: the same change now goes through
    again = await warden.client.put(base("team", "iris"), json=seldon_deployment("team", "iris", "gs://models/v9"))
    assert again.status_code == 200, again.text
    assert git(warden.remote, "log", "--format=%s", "main").splitlines() == [
        "SeldonDeployment updated",
        "SeldonDeployment created",
    ]


@pytest.mark.parametrize("poll_s", [0.0])
async def test_labelling_a_namespace_for_gitops_applies_what_its_repository_holds(
    warden: Warden, tmp_path: Path
) -> None:
    # The remote already holds a deployment (e.g. the repository of an earlier installation).
    seed = tmp_path / "seed"
    seed.mkdir()
    git(seed, "init", "--quiet", "--initial-branch", "main")
    (seed / "team").mkdir()
    (seed / "team" / "iris.yaml").write_text(yaml.safe_dump(seldon_deployment("team", "iris", "gs://models/seeded")))
    git(seed, "add", ".")
    git(seed, "commit", "--quiet", "-m", "seed")
    git(seed, "push", "--quiet", str(warden.remote), "HEAD:main")

    await warden.namespace("team", gitops=False)
    relabel = {"labels": {"seldon.gitops": "enabled"}, "annotations": {"git-repo": str(warden.remote)}}
    answer = await warden.client.put(f"{API}/namespaces/team", json=relabel)
    assert answer.status_code == 200, answer.text
    await wait_for_uri(warden, "team", "iris", "gs://models/seeded", within_s=5)
    seeded = git(seed, "rev-parse", "HEAD").strip()

    async def synced() -> bool:
        status = (await warden.client.get(f"{API}/namespaces/team/gitops-status")).json()
        return bool(status["gitops"] is True and status["lastSyncedCommit"] == seeded)

    await eventually(synced, "the status showing the seeded commit", within_s=5)
