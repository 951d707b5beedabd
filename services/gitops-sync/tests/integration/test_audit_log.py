"""The audit log through the public API: every change a commit by the acting user, diffs, restore and revert;
the same for a namespace without GitOps (a local repository) and one with (pushed to a bare remote)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from .conftest import API, Warden, git, seldon_deployment

pytestmark = pytest.mark.integration


def base(namespace: str, name: str) -> str:
    return f"{API}/namespaces/{namespace}/seldondeployments/{name}"


async def rollout(warden: Warden, namespace: str, name: str) -> None:
    """create -> add canary -> promote, by three users, with version comments on two."""
    created = await warden.client.post(
        f"{API}/namespaces/{namespace}/seldondeployments",
        params={"message": "first iris"},
        json=seldon_deployment(namespace, name),
        headers={"X-Warden-User": "alice"},
    )
    assert created.status_code == 201, created.text
    canary = await warden.client.post(
        f"{base(namespace, name)}/canary",
        json={"modelUri": "gs://models/iris-v2", "traffic": 20, "comment": "try v2"},
        headers={"X-Warden-User": "bob@example.com"},
    )
    assert canary.status_code == 200, canary.text
    promoted = await warden.client.post(f"{base(namespace, name)}/canary/promote", headers={"X-Warden-User": "carol"})
    assert promoted.status_code == 200, promoted.text


async def logs(warden: Warden, namespace: str, name: str) -> list[dict[str, Any]]:
    answer = await warden.client.get(f"{base(namespace, name)}/gitlogs")
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


def model_uris(obj: dict[str, Any]) -> list[str]:
    return [p["graph"]["modelUri"] for p in obj["spec"]["predictors"]]


@pytest.mark.parametrize("gitops", [False, True], ids=["audit-repository", "gitops-remote"])
async def test_rollout_is_three_commits_with_authors_messages_and_diffs(warden: Warden, gitops: bool) -> None:
    await warden.namespace("team", gitops=gitops)
    await rollout(warden, "team", "iris")

    history = await logs(warden, "team", "iris")
    assert [(c["AuthorName"], c["Message"]) for c in history] == [
        ("carol", "Canary promoted"),
        ("bob@example.com", "try v2"),
        ("alice", "first iris"),
    ]
    assert history[1]["AuthorEmail"] == "bob@example.com"
    assert all(c["CommitterName"] == "Warden" and c["AuthorWhen"] and c["CommitterWhen"] for c in history)

    diff = (await warden.client.get(f"{base('team', 'iris')}/gitdiff", params={"hash": history[1]["Hash"]})).json()
    assert diff["ChangeType"] == "modify" and diff["FileName"] == "team/iris.yaml"
    assert diff["PrevCommitHash"] == history[2]["Hash"]
    assert "+      modelUri: gs://models/iris-v2" in diff["Diff"]
    assert yaml.safe_load(diff["To"])["spec"]["predictors"][1]["traffic"] == 20
    first = (
        await warden.client.get(f"{base('team', 'iris')}/gitdiff", params={"hash": history[2]["Hash"][:10]})
    ).json()
    assert first["ChangeType"] == "add" and first["From"] == ""

    if gitops:  # the remote has the same history: pushed before each change was applied
        assert git(warden.remote, "log", "--format=%an|%s", "main").splitlines() == [
            "carol|Canary promoted",
            "bob@example.com|try v2",
            "alice|first iris",
        ]


async def test_restore_brings_back_the_file_and_the_deployment(warden: Warden) -> None:
    await warden.namespace("team", gitops=True)
    await rollout(warden, "team", "iris")
    first = (await logs(warden, "team", "iris"))[-1]["Hash"]

    # As seldon-deploy-sdk 1.6 sends it: GET with hash, action and message.
    answer = await warden.client.get(
        f"{base('team', 'iris')}/gitrestore",
        params={"hash": first, "action": "restore", "message": "back to v1"},
        headers={"X-Warden-User": "dave"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["code"] == 200

    current = (await warden.client.get(base("team", "iris"))).json()
    assert model_uris(current) == ["gs://models/iris-v1"]
    history = await logs(warden, "team", "iris")
    assert (history[0]["AuthorName"], history[0]["Message"]) == ("dave", "back to v1")
    in_remote = yaml.safe_load(git(warden.remote, "show", "main:team/iris.yaml"))
    assert model_uris(in_remote) == ["gs://models/iris-v1"]

    # Restoring what is already there changes nothing and makes no commit.
    again = await warden.client.post(f"{base('team', 'iris')}/gitrestore", params={"hash": first})
    assert again.status_code == 200 and again.json()["message"].endswith("unchanged")
    assert len(await logs(warden, "team", "iris")) == 4


async def test_revert_undoes_one_commit(warden: Warden) -> None:
    await warden.namespace("plain", gitops=False)
    await rollout(warden, "plain", "iris")
    promote = (await logs(warden, "plain", "iris"))[0]["Hash"]
    answer = await warden.client.get(f"{base('plain', 'iris')}/gitrevert", params={"hash": promote})
    assert answer.status_code == 200, answer.text
    current = (await warden.client.get(base("plain", "iris"))).json()
    assert model_uris(current) == ["gs://models/iris-v1", "gs://models/iris-v2"]  # the canary is back
    assert (await logs(warden, "plain", "iris"))[0]["Message"] == f"Reverted {promote[:12]}"


async def test_deleting_is_a_commit_and_restore_recreates(warden: Warden) -> None:
    await warden.namespace("plain", gitops=False)
    await rollout(warden, "plain", "iris")
    deleted = await warden.client.delete(base("plain", "iris"), headers={"X-Warden-User": "erin"})
    assert deleted.status_code == 200, deleted.text
    history = await logs(warden, "plain", "iris")
    assert (history[0]["AuthorName"], history[0]["Message"]) == ("erin", "SeldonDeployment deleted")
    diff = (await warden.client.get(f"{base('plain', 'iris')}/gitdiff", params={"hash": history[0]["Hash"]})).json()
    assert diff["ChangeType"] == "delete"

    answer = await warden.client.get(f"{base('plain', 'iris')}/gitrestore", params={"hash": history[1]["Hash"]})
    assert answer.status_code == 200, answer.text
    assert model_uris((await warden.client.get(base("plain", "iris"))).json()) == ["gs://models/iris-v2"]


async def test_bad_and_unknown_hashes_are_clear_errors(warden: Warden) -> None:
    await warden.namespace("plain", gitops=False)
    await rollout(warden, "plain", "iris")
    bad = await warden.client.get(f"{base('plain', 'iris')}/gitdiff", params={"hash": "HEAD~1"})
    assert bad.status_code == 422 and "hash" in bad.json()["message"]
    missing = await warden.client.get(f"{base('plain', 'iris')}/gitrestore", params={"hash": "0" * 40})
    assert missing.status_code == 404 and "gitlogs" in missing.json()["message"]
    none = await warden.client.get(f"{base('plain', 'iris')}/gitrestore")
    assert none.status_code == 422
    assert await logs(warden, "plain", "other") == []


async def test_a_git_repo_annotation_git_must_not_run_is_refused(warden: Warden) -> None:
    for remote in ("ext::sh -c touch% /tmp/pwned", "--upload-pack=touch /tmp/pwned", "ftp://host/repo.git"):
        body = {"name": "team", "labels": {"seldon.gitops": "enabled"}, "annotations": {"git-repo": remote}}
        answer = await warden.client.post(f"{API}/namespaces", json=body)
        assert answer.status_code == 422, answer.text
        assert answer.json()["details"][0]["path"] == "annotations.git-repo"


async def test_an_inference_service_has_the_same_audit_log(warden: Warden) -> None:
    await warden.namespace("plain", gitops=False)
    isvc = {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": {"name": "income"},
        "spec": {"predictor": {"model": {"modelFormat": {"name": "sklearn"}, "storageUri": "gs://models/income-v1"}}},
    }
    plural = f"{API}/namespaces/plain/inferenceservices"
    assert (await warden.client.post(plural, json=isvc, headers={"X-Warden-User": "alice"})).status_code == 201
    canary = await warden.client.post(
        f"{plural}/income/canary", json={"modelUri": "gs://models/income-v2", "implementation": "sklearn"}
    )
    assert canary.status_code == 200, canary.text
    history = (await warden.client.get(f"{plural}/income/gitlogs")).json()
    assert [c["Message"] for c in history] == ["Canary added", "InferenceService created"]
    restored = await warden.client.get(f"{plural}/income/gitrestore", params={"hash": history[1]["Hash"]})
    assert restored.status_code == 200, restored.text
    current = (await warden.client.get(f"{plural}/income")).json()
    assert current["spec"]["predictor"]["model"]["storageUri"] == "gs://models/income-v1"
    assert "canaryTrafficPercent" not in current["spec"]["predictor"]
