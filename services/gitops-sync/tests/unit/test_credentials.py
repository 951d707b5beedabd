"""The service's git credentials: settings checked at start, the environment git gets (checked with real git's own
URL matching), and the token kept out of every message."""

from __future__ import annotations

import base64
import shlex
import subprocess
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from warden_gitops_sync.credentials import GitCredentials
from warden_gitops_sync.git import Git, GitFailed
from warden_gitops_sync.settings import GitopsSyncSettings

TOKEN = "ghs_s3cretTOKENvalue"
PREFIX = "https://git.example.com/ml-org/"


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "my keys"  # a space: the paths must survive the shell git runs GIT_SSH_COMMAND through
    folder.mkdir()
    key, known = folder / "id_ed25519", folder / "known hosts"
    key.write_text("not really a key\n")
    known.write_text("[127.0.0.1]:2222 ssh-ed25519 AAAA\n")
    return key, known


def settings(**values: object) -> GitopsSyncSettings:
    return GitopsSyncSettings.model_validate(values)


def test_an_ssh_key_gives_git_an_ssh_command_with_that_key_only_and_strict_host_checking(
    keys: tuple[Path, Path],
) -> None:
    key, known = keys
    env = settings(ssh_key_file=key, ssh_known_hosts_file=known).git_credentials().env
    argv = shlex.split(env["GIT_SSH_COMMAND"])
    assert argv == [
        "ssh",
        "-i",
        str(key),
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        f"UserKnownHostsFile={known}",
        "-o",
        "StrictHostKeyChecking=yes",
        "-o",
        "BatchMode=yes",
        "-o",
        "ConnectTimeout=15",
    ]
    assert "GIT_CONFIG_COUNT" not in env


def test_the_ssh_command_replaces_the_default_in_gits_environment(keys: tuple[Path, Path], tmp_path: Path) -> None:
    key, known = keys
    git = Git(tmp_path, credentials=settings(ssh_key_file=key, ssh_known_hosts_file=known).git_credentials())
    assert git._env(None)["GIT_SSH_COMMAND"].startswith("ssh -i ")
    assert Git(tmp_path)._env(None)["GIT_SSH_COMMAND"] == "ssh -o BatchMode=yes -o ConnectTimeout=15"


def test_an_https_token_is_a_basic_header_in_gits_environment_configuration() -> None:
    credentials = settings(https_token=TOKEN, https_url_prefix=PREFIX, https_username="oauth2").git_credentials()
    env = credentials.env
    assert env["GIT_CONFIG_COUNT"] == "2"
    assert env["GIT_CONFIG_KEY_0"] == f"http.{PREFIX}.extraHeader"
    assert (env["GIT_CONFIG_KEY_1"], env["GIT_CONFIG_VALUE_1"]) == (f"http.{PREFIX}.followRedirects", "false")
    scheme, encoded = env["GIT_CONFIG_VALUE_0"].removeprefix("Authorization: ").split(" ")
    assert (scheme, base64.b64decode(encoded).decode()) == ("Basic", f"oauth2:{TOKEN}")
    assert "GIT_SSH_COMMAND" not in env


@pytest.mark.parametrize(
    ("remote", "sent"),
    [
        ("https://git.example.com/ml-org/deployments.git", True),
        ("https://git.example.com/ml-org/team/deployments.git", True),
        ("https://anyone@git.example.com:443/ml-org/deployments.git", True),
        ("https://git.example.com/ml-org-evil/deployments.git", False),  # a prefix is whole path segments
        ("https://git.example.com/other/deployments.git", False),
        ("https://git.example.com.evil.test/ml-org/deployments.git", False),
        ("https://git.example.com:8443/ml-org/deployments.git", False),
        ("http://git.example.com/ml-org/deployments.git", False),  # never in clear
        ("https://evil.test/ml-org/deployments.git", False),
        ("https://git.example.com/ml-org/../evil/deployments.git", False),  # dot segments resolved first
        ("https://git.example.com/ml-org%2F..%2Fevil/deployments.git", False),
        ("https://git.example.com/evil/../ml-org/deployments.git", True),  # which is where curl goes too
    ],
)
def test_git_itself_sends_the_token_only_under_the_prefix(tmp_path: Path, remote: str, sent: bool) -> None:
    """Asked with git's own `http.<url>.*` matching (`git config --get-urlmatch`), in the environment Warden runs git
    with; `covers` (used only for messages) agrees."""
    credentials = settings(https_token=TOKEN, https_url_prefix=PREFIX).git_credentials()
    env = Git(tmp_path, credentials=credentials)._env(None)
    done = subprocess.run(
        ["git", "config", "--get-urlmatch", "http.extraHeader", remote],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode == 0) is sent, done
    assert (done.stdout.strip() == credentials.env["GIT_CONFIG_VALUE_0"]) is sent
    assert credentials.covers(remote) is sent


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ({"https_token": TOKEN}, "needs WARDEN_GITOPS_HTTPS_URL_PREFIX"),
        ({"https_url_prefix": PREFIX}, "without WARDEN_GITOPS_HTTPS_TOKEN"),
        ({"https_token": TOKEN, "https_url_prefix": "http://git.example.com/org"}, "must be https://"),
        ({"https_token": TOKEN, "https_url_prefix": "ftp://git.example.com/org"}, "must be an https:// URL"),
        ({"https_token": TOKEN, "https_url_prefix": "https://u:p@git.example.com/"}, "user name or password"),
        ({"https_token": TOKEN, "https_url_prefix": "https://*.example.com/"}, "without wildcards"),
        ({"https_token": TOKEN, "https_url_prefix": "https:///org"}, "must name a host"),
        ({"https_token": TOKEN, "https_url_prefix": "https://h.test/a/../b"}, "'..' path segments"),
        ({"https_token": "has space", "https_url_prefix": PREFIX}, "without whitespace"),
        ({"https_token": TOKEN, "https_url_prefix": PREFIX, "https_username": "a:b"}, "https_username"),
    ],
)
def test_bad_https_settings_fail_at_start_clearly_without_showing_the_token(values: dict[str, str], says: str) -> None:
    with pytest.raises(ValidationError) as caught:
        settings(**values)
    assert says in str(caught.value)
    assert TOKEN not in str(caught.value) and TOKEN not in repr(caught.value)


def test_bad_ssh_settings_fail_at_start_clearly(keys: tuple[Path, Path], tmp_path: Path) -> None:
    key, known = keys
    with pytest.raises(ValidationError, match="needs WARDEN_GITOPS_SSH_KNOWN_HOSTS_FILE"):
        settings(ssh_key_file=key)
    with pytest.raises(ValidationError, match=r"WARDEN_GITOPS_SSH_KEY_FILE=.*missing: no such file"):
        settings(ssh_key_file=tmp_path / "missing", ssh_known_hosts_file=known)
    with pytest.raises(ValidationError, match=r"WARDEN_GITOPS_SSH_KNOWN_HOSTS_FILE=.*: no such file"):
        settings(ssh_key_file=key, ssh_known_hosts_file=tmp_path)


def test_an_http_prefix_is_allowed_on_loopback_only() -> None:
    credentials = settings(https_token=TOKEN, https_url_prefix="http://127.0.0.1:8080/org").git_credentials()
    assert credentials.covers("http://127.0.0.1:8080/org/r.git")
    assert not credentials.covers("http://127.0.0.1:8081/org/r.git")


def test_the_token_never_shows_in_settings_or_in_what_git_prints(tmp_path: Path) -> None:
    configured = settings(https_token=TOKEN, https_url_prefix=PREFIX)
    assert TOKEN not in repr(configured) and TOKEN not in str(configured.model_dump())
    credentials = configured.git_credentials()
    header = credentials.env["GIT_CONFIG_VALUE_0"]
    shown = credentials.redact(f"fatal: echoed {header} and {TOKEN}")
    assert TOKEN not in shown and header not in shown and "***" in shown


async def test_a_failing_git_command_has_the_token_removed_from_its_error(tmp_path: Path) -> None:
    """A real git failure whose output holds the token (here: git names the unknown revision it was given)."""
    credentials = GitCredentials.build(https_token=SecretStr(TOKEN), https_url_prefix=PREFIX)
    git = Git(tmp_path, credentials=credentials)
    await git.run("init", "--quiet")
    with pytest.raises(GitFailed) as caught:
        await git.run("show", f"{TOKEN}-x")
    assert "unknown revision" in caught.value.stderr and "***-x" in caught.value.stderr
    assert TOKEN not in str(caught.value) and TOKEN not in caught.value.stderr


def test_the_hint_says_which_credential_was_refused() -> None:
    credentials = settings(https_token=TOKEN, https_url_prefix=PREFIX).git_credentials()
    refused = "fatal: Authentication failed for 'https://git.example.com/ml-org/d.git/'"
    assert "was sent and refused" in credentials.hint("https://git.example.com/ml-org/d.git", refused)
    assert "only to remotes under" in credentials.hint("https://elsewhere.test/d.git", refused)
    assert credentials.hint("https://git.example.com/ml-org/d.git", "Could not resolve host") == ""


def test_empty_variables_mean_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    """As docker-compose.yml passes them when `.env` sets nothing."""
    for name in ("SSH_KEY_FILE", "SSH_KNOWN_HOSTS_FILE", "HTTPS_TOKEN", "HTTPS_URL_PREFIX"):
        monkeypatch.setenv(f"WARDEN_GITOPS_{name}", "")
    assert GitopsSyncSettings().git_credentials().env == {}
