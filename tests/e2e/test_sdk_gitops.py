"""The audit log through the official seldon-deploy-sdk 1.6, unchanged, on `warden up`: a GitOps namespace whose
remote is a bare repository on disk; every change is a commit there, and the SDK reads, diffs and restores them."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

pytestmark = pytest.mark.integration

API = "/seldon-deploy/api/v1alpha1"

SDK_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from seldon_deploy_sdk import ApiClient, Configuration, GitOpsApi, SeldonDeploymentsApi

    base, namespace, token = sys.argv[1], sys.argv[2], sys.argv[3]
    config = Configuration()
    config.host = base + "/seldon-deploy/api/v1alpha1"
    config.id_token = token or "e2e-token"
    client = ApiClient(config)
    api, gitops = SeldonDeploymentsApi(client), GitOpsApi(client)
    sdep = {
        "apiVersion": "machinelearning.seldon.io/v1", "kind": "SeldonDeployment", "metadata": {"name": "iris"},
        "spec": {"predictors": [{"name": "default", "replicas": 1, "graph": {
            "name": "iris-default", "implementation": "SKLEARN_SERVER",
            "modelUri": "gs://seldon-models/sklearn/iris", "children": []}}]},
    }
    api.create_seldon_deployment(namespace, sdep, message="first version")
    read = api.read_seldon_deployment("iris", namespace)
    read.spec.predictors[0].graph.model_uri = "gs://seldon-models/sklearn/iris2"
    api.update_seldon_deployment("iris", namespace, read, message="new model")

    logs = gitops.read_seldon_deployment_git_logs("iris", namespace)
    diff = gitops.read_seldon_deployment_git_diff("iris", namespace, hash=logs[0].hash)
    restored = gitops.seldon_deployment_git_restore("iris", namespace, hash=logs[1].hash, message="back to v1")
    after = api.read_seldon_deployment("iris", namespace)
    status = gitops.read_git_ops_status(namespace)
    print(json.dumps({
        "logs": [[log.author_name, log.hash, log.author_when.isoformat(), log.committer_name] for log in logs],
        "diff": {"file": diff.file_name, "change": diff.change_type, "diff": diff.diff},
        "restored": restored.to_dict(),
        "model_after": after.spec.predictors[0].graph.model_uri,
        "logs_after": [log.hash for log in gitops.read_seldon_deployment_git_logs("iris", namespace)],
        "status": status,
    }))
    """
)


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout


def test_sdk_reads_diffs_and_restores_the_audit_log_of_a_gitops_namespace(
    sdk_python: Path, warden: str, api_headers: dict[str, str], tmp_path: Path
) -> None:
    remote = tmp_path / "deployments.git"
    remote.mkdir()
    git(remote, "init", "--quiet", "--bare", "--initial-branch", "main")
    namespace = {
        "name": "gitops",
        "labels": {"seldon.restricted": "false", "seldon.gitops": "enabled"},
        "annotations": {"git-repo": str(remote)},
    }
    made = httpx.post(f"{warden}{API}/namespaces", json=namespace, headers=api_headers)
    assert made.status_code == 201, made.text

    token = api_headers.get("Authorization", "").removeprefix("Bearer ")
    done = subprocess.run(
        [str(sdk_python), "-c", SDK_SCRIPT, warden, "gitops", token],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])

    authors = {author for author, _, _, _ in out["logs"]}
    assert len(out["logs"]) == 2 and len(authors) == 1 and all(author for author in authors)
    if not api_headers:
        assert authors == {"anonymous"}  # auth off: nobody is named
    assert {committer for _, _, _, committer in out["logs"]} == {"Warden"}
    assert out["diff"]["file"] == "gitops/iris.yaml" and out["diff"]["change"] == "modify"
    added = [line for line in out["diff"]["diff"].splitlines() if line.startswith("+") and "modelUri" in line]
    assert [line.split()[-1] for line in added] == ["gs://seldon-models/sklearn/iris2"]
    assert out["restored"]["code"] == 200
    assert out["model_after"] == "gs://seldon-models/sklearn/iris"
    assert len(out["logs_after"]) == 3 and out["logs_after"][1:] == [h for _, h, _, _ in out["logs"]]
    assert out["status"]["gitops"] is True and out["status"]["head"] == out["logs_after"][0]

    # The remote has every commit, with the version comments, and the restored file.
    assert git(remote, "log", "--format=%s", "main").splitlines() == ["back to v1", "new model", "first version"]
    in_git = yaml.safe_load(git(remote, "show", "main:gitops/iris.yaml"))
    assert in_git["spec"]["predictors"][0]["graph"]["modelUri"] == "gs://seldon-models/sklearn/iris"
