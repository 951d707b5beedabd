"""The service's own git credentials against real servers: an https token through git's smart-HTTP backend behind a
server demanding HTTP Basic auth (sent only to remotes under the configured prefix), and an SSH key against a real
sshd (strict host key checking)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from warden_common.testing.git_http import GitHttpServer, serving_git_http
from warden_common.testing.sshd import SshServer, serving_sshd

from .conftest import API, Warden, git, seldon_deployment

pytestmark = pytest.mark.integration

TOKEN = "glpat-Sup3rS3cretT0ken"
USER = "oauth2"


def base(namespace: str, name: str) -> str:
    return f"{API}/namespaces/{namespace}/seldondeployments/{name}"


async def put_uri(warden: Warden, namespace: str, name: str, uri: str, *, create: bool = False) -> Any:
    body = seldon_deployment(namespace, name, uri)
    if create:
        return await warden.client.post(f"{API}/namespaces/{namespace}/seldondeployments", json=body)
    return await warden.client.put(base(namespace, name), json=body)


def bare(path: Path) -> Path:
    path.mkdir(parents=True)
    git(path, "init", "--quiet", "--bare", "--initial-branch", "main")
    return path


async def first_change(warden: Warden) -> list[str]:
    """A GitOps namespace and a deployment in it: pushed. The remote's log (author|subject)."""
    await warden.namespace("team", gitops=True)
    created = await put_uri(warden, "team", "iris", "gs://models/iris-v1", create=True)
    assert created.status_code == 201, created.text
    log: str = git(warden.remote, "log", "--format=%an|%s", "main")
    return log.splitlines()


def assert_no_secret(text: str) -> None:
    assert TOKEN not in text
    assert base64.b64encode(f"{USER}:{TOKEN}".encode()).decode() not in text


class TestHttpsToken:
    @pytest.fixture
    def remote(self, tmp_path: Path) -> Path:
        return bare(tmp_path / "served" / "org" / "deployments.git")

    @pytest.fixture
    def git_server(self, tmp_path: Path, remote: Path) -> Iterator[GitHttpServer]:
        with serving_git_http(tmp_path / "served", username=USER, password=TOKEN) as server:
            yield server

    @pytest.fixture
    def remote_url(self, git_server: GitHttpServer) -> str:
        return f"{git_server.url}/org/deployments.git"

    @pytest.fixture
    def gitops_settings(self, git_server: GitHttpServer) -> dict[str, Any]:
        return {"https_token": TOKEN, "https_username": USER, "https_url_prefix": f"{git_server.url}/org/"}

    async def test_a_change_is_pushed_with_the_token_and_a_refused_token_is_a_clear_503(
        self, warden: Warden, git_server: GitHttpServer
    ) -> None:
        assert await first_change(warden) == ["anonymous|SeldonDeployment created"]
        expected = f"Basic {base64.b64encode(f'{USER}:{TOKEN}'.encode()).decode()}"
        sent = git_server.headers_sent_to("/org/")
        assert sent and set(sent) == {expected}
        status = (await warden.client.get(f"{API}/namespaces/team/gitops-status")).json()
        assert status["remote"] == warden.remote_url
        assert_no_secret(str(status))

        git_server.password = "rotated-on-the-git-host"  # the token no longer works
        refused = await put_uri(warden, "team", "iris", "gs://models/iris-v2")
        assert refused.status_code == 503, refused.text
        body = refused.json()
        assert body["reason"] == "git_remote_unavailable" and "not applied" in body["message"]
        assert "WARDEN_GITOPS_HTTPS_TOKEN was sent and refused" in body["message"]
        assert_no_secret(refused.text)
        running = (await warden.client.get(base("team", "iris"))).json()
        assert running["spec"]["predictors"][0]["graph"]["modelUri"] == "gs://models/iris-v1"
        assert len(git(warden.remote, "log", "--format=%H", "main").splitlines()) == 1
        synced = await warden.client.post(f"{API}/namespaces/team/gitops-sync")
        assert synced.status_code == 503 and "was sent and refused" in synced.text
        status = (await warden.client.get(f"{API}/namespaces/team/gitops-status")).json()
        assert "was sent and refused" in status["lastError"]
        assert_no_secret(str(status))

        git_server.password = TOKEN  # fixed on the host: the same change goes through
        again = await put_uri(warden, "team", "iris", "gs://models/iris-v2")
        assert again.status_code == 200, again.text

    async def test_a_remote_outside_the_prefix_never_receives_the_token(
        self, warden: Warden, git_server: GitHttpServer, tmp_path: Path
    ) -> None:
        bare(tmp_path / "served" / "org-elsewhere" / "deployments.git")  # shares the prefix's text, not its path
        bare(tmp_path / "served" / "mine" / "deployments.git")
        for namespace, path in (("sneaky", "org-elsewhere"), ("mine", "mine")):
            await warden.namespace(namespace, gitops=True, git_repo=f"{git_server.url}/{path}/deployments.git")
            answer = await put_uri(warden, namespace, "iris", "gs://models/iris-v1", create=True)
            assert answer.status_code == 503, answer.text
            assert "only to remotes under WARDEN_GITOPS_HTTPS_URL_PREFIX" in answer.json()["message"]
            assert_no_secret(answer.text)
            sent = git_server.headers_sent_to(f"/{path}/")
            assert sent and set(sent) == {None}, sent

        # A remote under the prefix that redirects (a moved repository, or a host sending it on): not followed,
        # since git would send the token on to the new URL, whatever its host.
        bare(tmp_path / "served" / "elsewhere" / "deployments.git")  # where only the redirect points
        git_server.redirects["/org/moved.git"] = f"{git_server.url}/elsewhere/deployments.git"
        await warden.namespace("moved", gitops=True, git_repo=f"{git_server.url}/org/moved.git")
        answer = await put_uri(warden, "moved", "iris", "gs://models/iris-v1", create=True)
        assert answer.status_code == 503, answer.text
        assert "redirects are not followed" in answer.json()["message"]
        assert_no_secret(answer.text)
        assert git_server.headers_sent_to("/elsewhere/") == []


class TestSshKey:
    @pytest.fixture
    def sshd(self, tmp_path: Path) -> Iterator[SshServer]:
        with serving_sshd(tmp_path / "sshd") as server:
            yield server

    @pytest.fixture
    def remote_url(self, sshd: SshServer, remote: Path) -> str:
        return sshd.url(remote)

    @pytest.fixture
    def gitops_settings(self, sshd: SshServer) -> dict[str, Any]:
        return {"ssh_key_file": sshd.client_key, "ssh_known_hosts_file": sshd.known_hosts}

    async def test_a_change_is_pushed_over_ssh_with_the_key_and_an_unknown_host_key_is_refused(
        self, warden: Warden, sshd: SshServer
    ) -> None:
        assert await first_change(warden) == ["anonymous|SeldonDeployment created"]
        assert "Accepted publickey" in (sshd.workdir / "sshd.log").read_text()

        # Another host key claims the address (a man in the middle, or a rebuilt server): refused, never learnt.
        other = (sshd.workdir / "client_key.pub").read_text().split()[:2]  # any key but the host's
        known = sshd.known_hosts.read_text()
        sshd.known_hosts.write_text(sshd.known_hosts_line(" ".join(other)))
        refused = await put_uri(warden, "team", "iris", "gs://models/iris-v2")
        assert refused.status_code == 503, refused.text
        assert "Host key verification failed" in refused.json()["message"]
        assert "WARDEN_GITOPS_SSH_KNOWN_HOSTS_FILE" in refused.json()["message"]
        assert sshd.known_hosts.read_text() == sshd.known_hosts_line(" ".join(other))  # nothing was added

        sshd.known_hosts.write_text(known)
        again = await put_uri(warden, "team", "iris", "gs://models/iris-v2")
        assert again.status_code == 200, again.text
        assert len(git(warden.remote, "log", "--format=%H", "main").splitlines()) == 2
