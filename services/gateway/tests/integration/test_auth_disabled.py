"""With auth off, the built-in provider administers nothing and issues nothing: nobody can be told apart from an
administrator then, so users, policies and keys made by anyone would be trusted once auth is switched on. The admin
routes answer 409 `auth_disabled` (as the OpenAPI document says), the token endpoint an OAuth2 `invalid_request`;
and nothing was stored."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest
from fastapi import FastAPI

from warden_common.auth.settings import AuthSettings
from warden_gateway.settings import GatewaySettings

from .conftest import ADMIN, ADMIN_PASSWORD, API, SIGNING_PASSPHRASE, AuthGateway, admin_and_bus, auth_gateway_app

pytestmark = pytest.mark.integration

ADMIN_OPERATIONS = [
    ("GET", f"{API}/users", None),
    ("POST", f"{API}/users", {"name": "eve", "password": "eve-password-1", "groups": ["warden-admins"]}),
    ("DELETE", f"{API}/users/{ADMIN}", None),
    ("GET", f"{API}/authorization/policies", None),
    (
        "PUT",
        f"{API}/authorization/policies",
        {"role_grants": {}, "user_grants": {"*": [{"resource": "*", "action": "write"}]}},
    ),
    ("POST", f"{API}/authorization/keys/rotate", None),
]


@pytest.fixture
async def open_gateway(
    fresh_database: str, serving_stub: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[AuthGateway]:
    """Auth off, but everything the built-in provider would need is there (database, passphrase, admin env)."""
    auth = AuthSettings(enabled=False, signing_key_passphrase=SIGNING_PASSPHRASE)
    async with (
        admin_and_bus(fresh_database, monkeypatch) as bus,
        auth_gateway_app(fresh_database, serving_stub, GatewaySettings(auth=auth), bus) as gw,
    ):
        yield gw


async def test_admin_routes_and_the_token_endpoint_refuse_while_auth_is_off(
    open_gateway: AuthGateway, fresh_database: str
) -> None:
    gw = open_gateway
    keys = "SELECT count(*) FROM gateway.signing_keys"
    conn = await asyncpg.connect(fresh_database)
    keys_before = await conn.fetchval(keys)
    document = (await gw.client.get(f"{API}/openapi.json")).json()
    for method, path, body in ADMIN_OPERATIONS:
        answer = await gw.client.request(method, path, json=body)
        assert answer.status_code == 409, f"{method} {path}: {answer.text}"
        assert answer.json()["reason"] == "auth_disabled"
        assert "auth.enabled=false" in answer.json()["message"]
        template = path.replace(f"/users/{ADMIN}", "/users/{name}")
        documented = document["paths"][template][method.lower()]["responses"]["409"]
        assert "auth_disabled" in documented["description"], f"{method} {path}"

    form = {"grant_type": "password", "client_id": "warden", "username": ADMIN, "password": ADMIN_PASSWORD}
    token = await gw.client.post("/oauth2/token", data=form)
    assert (token.status_code, token.json()["error"]) == (400, "invalid_request"), token.text
    assert "issues no tokens" in token.json()["error_description"]
    assert "auth off" in document["paths"]["/oauth2/token"]["post"]["responses"]["400"]["description"]

    try:
        assert await conn.fetchval("SELECT count(*) FROM gateway.users") == 0  # no first admin either
        assert await conn.fetchval(keys) == keys_before  # not rotated
    finally:
        await conn.close()
