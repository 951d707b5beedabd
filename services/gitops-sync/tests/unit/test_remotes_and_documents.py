"""Secrets kept out of what is shown; hashes and files checked at the door."""

from __future__ import annotations

import pytest

from warden_common.errors import Unprocessable
from warden_common.git_remotes import redact, remote_problem
from warden_gitops_sync.documents import check_hash, from_yaml, to_yaml
from warden_gitops_sync.git import author_of


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://alice:s3cret@git.example.com/ml/deploy.git", "https://alice:***@git.example.com/ml/deploy.git"),
        ("https://ghp_token@github.com/o/r.git", "https://***@github.com/o/r.git"),
        ("https://git.example.com:8443/r.git", "https://git.example.com:8443/r.git"),
        ("ssh://git@git.example.com/r.git", "ssh://git@git.example.com/r.git"),
        ("git@github.com:o/r.git", "git@github.com:o/r.git"),
        ("/srv/git/deploy.git", "/srv/git/deploy.git"),
        ("file:///srv/git/deploy.git", "file:///srv/git/deploy.git"),
        (None, None),
    ],
)
def test_redact_hides_passwords_and_tokens_only(url: str | None, shown: str | None) -> None:
    assert redact(url) == shown


@pytest.mark.parametrize("value", ["3f1c", "3F1C2A9E", " 3f1c2a9e5b7d4c10a8f6e2d1b0c9a8f7e6d5c4b3 "])
def test_check_hash_accepts_hex_commit_ids(value: str) -> None:
    assert check_hash(value) == value.strip().lower()


@pytest.mark.parametrize("value", [None, "", "abc", "HEAD", "HEAD~1", "main", "3f1c..9a8b", "-v", "g" * 40, "a" * 65])
def test_check_hash_refuses_anything_else_naming_the_parameter(value: str | None) -> None:
    with pytest.raises(Unprocessable) as caught:
        check_hash(value)
    assert "hash" in caught.value.message and caught.value.details[0]["path"] == "query.hash"


def test_author_of_keeps_e_mail_like_names_and_gives_others_an_address() -> None:
    assert (author_of("bob@example.com").name, author_of("bob@example.com").email) == (
        "bob@example.com",
        "bob@example.com",
    )
    assert author_of("alice").email == "alice@warden.invalid"
    assert author_of("  ").name == "anonymous"


def test_yaml_files_are_stable_and_must_hold_a_deployment() -> None:
    obj = {"spec": {"b": 1, "a": 2}, "kind": "SeldonDeployment", "metadata": {"name": "iris"}}
    text = to_yaml(obj)
    assert text == to_yaml(dict(reversed(list(obj.items()))))  # the order a client sent keys in does not matter
    assert from_yaml(text, "f") == obj
    for bad in ("kind: ConfigMap\n", "- 1\n", "a: [\n"):
        with pytest.raises(Unprocessable, match=r"team/x\.yaml"):
            from_yaml(bad, "team/x.yaml")


@pytest.mark.parametrize(
    "remote",
    [
        "/srv/git/d.git",
        "file:///srv/d.git",
        "https://u:t@h/d.git",
        "ssh://git@h/d.git",
        "git@github.com:o/r.git",
        "git@host:/srv/r.git",
    ],
)
def test_ordinary_remotes_are_accepted(remote: str) -> None:
    assert remote_problem(remote) is None


@pytest.mark.parametrize(
    ("remote", "why"),
    [
        ("", "non-empty"),
        ("--upload-pack=touch /tmp/x", "'-'"),
        ("ext::sh -c touch% /tmp/pwned", "whitespace"),
        ("ext::sh", "helpers"),
        ("fd::17", "helpers"),
        ("ftp://h/d.git", "absolute path"),
        ("relative/repo.git", "absolute path"),
        ("/srv/d.git\n[core]", "control"),
    ],
)
def test_options_helpers_and_odd_characters_are_refused(remote: str, why: str) -> None:
    problem = remote_problem(remote)
    assert problem is not None and why in problem
