"""The official seldon-deploy-sdk 1.6, unchanged, creates, reads and lists batch jobs against `warden up` (auth on:
it signs in with its own OIDCAuthenticator; POST needs write, GET read on the deployment) through `BatchJobsApi`
with its BatchJobDefinition model, as the seed's Kubeflow pipeline does. No model is deployed: the job runs and
fails naming the missing deployment, which is what its description must say; its `createdBy` is the signed-in
user."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import httpx
import pytest

from warden_common.testing.auth import SDK_SIGN_IN
from warden_common.testing.waiting import wait_until

from .sdk_runner import run_sdk

pytestmark = pytest.mark.integration

SDK_SCRIPT = SDK_SIGN_IN + textwrap.dedent(
    """
    import json, sys
    from seldon_deploy_sdk import BatchJobsApi
    from seldon_deploy_sdk.models import BatchJobDefinition
    from seldon_deploy_sdk.rest import ApiException

    base, user, password, step = sys.argv[1:5]
    api = BatchJobsApi(signed_in_client(base, user, password))
    try:
        if step == "create":
            definition = BatchJobDefinition(
                input_data=sys.argv[5], output_data=sys.argv[6], batch_method="predict", batch_data_type="data",
                batch_payload_type="ndarray", batch_transport_protocol="rest", batch_workers="2", batch_retries="1",
                batch_size=1, batch_interval=0.0, batch_gateway_type="istio",
                object_store_secret_name="seldon-job-secret",
            )
            out = api.create_seldon_deployment_batch_job("iris", "seldon", definition).to_dict()
        elif step == "get":
            got = api.get_deployment_batch_job("iris", "seldon", sys.argv[5])
            out = {"definition": got.definition.to_dict(), "description": got.description.to_dict()}
        elif step == "list":
            listed = api.list_seldon_deployment_batch_jobs("iris", "seldon", limit="10", page="1")
            out = {"batch_jobs": listed.batch_jobs, "pages_count": listed.pages_count}
        else:
            raise SystemExit(f"unknown step {step}")
    except ApiException as exc:  # the status and the body of the error, for the test to read
        out = {"error": exc.status, "body": str(exc.body)}
    print(json.dumps(out, default=str))
    """
)


def _sdk(sdk_python: Path, base: str, credentials: tuple[str, str], *args: str) -> Any:
    return run_sdk(sdk_python, SDK_SCRIPT, base, credentials, *args)


def test_sdk_creates_reads_and_lists_batch_jobs(
    sdk_python: Path, warden: str, admin_credentials: tuple[str, str], tmp_path: Path
) -> None:
    source = tmp_path / "input-data.txt"
    source.write_text("[5.1, 3.5, 1.4, 0.2]\n[6.2, 2.9, 4.3, 1.3]\n")
    created = _sdk(sdk_python, warden, admin_credentials, "create", str(source),
                   str(tmp_path / "output-data-{{workflow.name}}.txt"))  # fmt: skip
    assert "error" not in created, created
    name = created["workflow_name"]
    assert name.startswith("iris-") and len(name) == len("iris-") + 5

    def failed() -> dict[str, Any] | None:
        got = _sdk(sdk_python, warden, admin_credentials, "get", name)
        assert "error" not in got, got
        return got if got["description"]["workflow_status"] == "Failed" else None

    got = wait_until("the job failed on the missing deployment", failed, 60, interval_s=1)
    assert got["description"]["workflow_uid"] == created["workflow_uid"]
    assert got["definition"]["batch_workers"] == "2" and got["definition"]["input_data"] == str(source)
    assert got["description"]["started_at"] and got["description"]["finished_at"]

    listed = _sdk(sdk_python, warden, admin_credentials, "list")
    assert [job["workflowName"] for job in listed["batch_jobs"]] == [name] and listed["pages_count"] == 1
    assert listed["batch_jobs"][0]["createdBy"] == admin_credentials[0]  # the signed-in user

    # Without a token: 401; the message of the failure names the deployment the data plane does not know.
    assert (
        httpx.get(f"{warden}/seldon-deploy/api/v1alpha1/namespaces/seldon/seldondeployments/iris/batchjobs").status_code
        == 401
    )
    missing = _sdk(sdk_python, warden, admin_credentials, "get", "iris-zzzzz")
    assert missing["error"] == 404 and "iris-zzzzz" in missing["body"]
