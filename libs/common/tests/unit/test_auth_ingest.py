"""The ingest token as executors present it: a bearer token, or HTTP Basic's password under any user name (what Go's
net/http sends for a logger URL `http://user:<token>@host/`); and the acting-user header's encoding."""

from __future__ import annotations

import base64

import pytest
from pydantic import SecretStr

from warden_common.auth.ingest import ingest_token_matches, presented_secret
from warden_common.auth.principal import decode_actor, encode_actor

TOKEN = SecretStr("tok:en/ü")


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize(
    ("header", "secret"),
    [
        ("Bearer abc", "abc"),
        ("bearer   abc ", "abc"),
        (basic("warden", "tok:en/ü"), "tok:en/ü"),  # the password may hold ':'; the user name may be anything
        (basic("", "pw"), "pw"),
        (basic("warden", ""), None),
        ("Basic " + base64.b64encode(b"no-colon").decode(), None),
        ("Basic not*base64", None),
        ("Basic " + base64.b64encode(b"u:\xff").decode(), None),  # not UTF-8
        ("Digest abc", None),
        ("Bearer", None),
        ("", None),
        (None, None),
    ],
)
def test_the_secret_comes_from_bearer_or_basic_password(header: str | None, secret: str | None) -> None:
    assert presented_secret(header) == secret


def test_only_the_exact_token_matches() -> None:
    assert ingest_token_matches(basic("anyone", "tok:en/ü"), TOKEN)
    assert ingest_token_matches("Bearer tok:en/ü", TOKEN)
    for wrong in ("Bearer tok:en/u", "Bearer tok:en/üx", basic("tok:en/ü", "x"), basic("w", "tok"), None):
        assert not ingest_token_matches(wrong, TOKEN), wrong


@pytest.mark.parametrize("user", ["alice", "José Müller", "a%20b", "x,y;z"])
def test_the_actor_header_carries_any_user_name(user: str) -> None:
    encoded = encode_actor(user)
    assert encoded.isascii() and b" " not in encoded
    assert decode_actor(encoded.decode()) == user


def test_a_blank_actor_is_none() -> None:
    assert decode_actor(None) is None
    assert decode_actor("  ") is None
