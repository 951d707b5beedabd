"""The gateway's side of the sync: a change from git is applied once, as its author, and never over a newer change
made through the API."""

from __future__ import annotations

import pytest

from warden_common.events.gitops import GitopsDeploymentChanged
from warden_gateway.consumers.gitops import apply_git_change
from warden_gateway.deployments.service import DeploymentService

from .conftest import API, Warden, seldon_deployment

pytestmark = pytest.mark.integration


def changed(spec_uri: str | None, previous_uri: str | None) -> GitopsDeploymentChanged:
    return GitopsDeploymentChanged(
        namespace="team",
        name="iris",
        commit="0123456789abcdef0123456789abcdef01234567",
        author="bob",
        message="from git",
        spec=seldon_deployment("team", "iris", spec_uri) if spec_uri else None,
        previous=seldon_deployment("team", "iris", previous_uri) if previous_uri else None,
    )


async def model_uri(warden: Warden) -> str | None:
    answer = await warden.client.get(f"{API}/namespaces/team/seldondeployments/iris")
    if answer.status_code == 404:
        return None
    uri: str = answer.json()["spec"]["predictors"][0]["graph"]["modelUri"]
    return uri


async def test_applied_once_as_its_author_and_never_over_a_newer_api_change(warden: Warden) -> None:
    service: DeploymentService = warden.gateway.state.deployments
    await warden.namespace("team", gitops=False)

    assert await apply_git_change(service, changed("gs://v1", None)) == "created"
    assert await apply_git_change(service, changed("gs://v1", None)) == "unchanged"  # redelivered
    assert await apply_git_change(service, changed("gs://v2", "gs://v1")) == "updated"
    assert await model_uri(warden) == "gs://v2"

    # A late event whose `previous` is not what runs: the deployment changed since; the newer state stays.
    assert await apply_git_change(service, changed("gs://v3", "gs://v1")) == "skipped"
    assert await model_uri(warden) == "gs://v2"

    assert await apply_git_change(service, changed(None, "gs://v2")) == "deleted"
    assert await model_uri(warden) is None
    assert await apply_git_change(service, changed(None, "gs://v2")) == "unchanged"

    # Applied from git, so not committed again: the audit repository records none of it.
    assert (await warden.client.get(f"{API}/namespaces/team/seldondeployments/iris/gitlogs")).json() == []
