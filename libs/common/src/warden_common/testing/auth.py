"""Shared test support for authorization: auth switched off, the test administrator and how tests (and the
official SDK) sign in, and the seed's own policy example."""

from __future__ import annotations

from typing import Any

import httpx

from warden_common.auth.settings import AuthSettings

AUTH_OFF = AuthSettings(enabled=False)
"""For a test that is not about auth and builds a gateway or the standalone app in-process: auth is on by default,
so such a test says it runs without (`GatewaySettings(auth=AUTH_OFF, ...)`). Tests of auth use the `auth_gateway`
fixture of `services/gateway/tests/integration/conftest.py`; end-to-end tests send `api_headers`."""

DEMO_5_1_13_POLICY: dict[str, Any] = {
    "role_grants": {"data-scientist": [{"resource": "project/iris", "action": "read"}]},
    "user_grants": {
        "*": [
            {"resource": "namespace/seldon", "action": "read"},
            {"resource": "namespace/seldon", "action": "write"},
            {"resource": "project/default", "action": "read"},
            {"resource": "project/default", "action": "write"},
        ],
        "alice": [
            {"resource": "project/income", "action": "write"},
            {"resource": "project/income", "action": "read"},
            {"resource": "project/iris", "action": "read"},
            {"resource": "project/iris", "action": "write"},
        ],
    },
}
"""Demo 5.1.13's `seldon-deploy-policies` as JSON: alice writes default, iris and income; bob (data-scientist) writes
default and reads iris."""


TEST_ADMIN = "e2e-admin"
TEST_ADMIN_PASSWORD = "e2e-admin-password-1"
"""The first administrator `running_warden_up` creates (`WARDEN_ADMIN_USER` / `WARDEN_ADMIN_PASSWORD`), so a test
can sign in as it; a caller's own `env` overrides them."""

FIRST_ADMIN_ENV = {"WARDEN_ADMIN_USER": TEST_ADMIN, "WARDEN_ADMIN_PASSWORD": TEST_ADMIN_PASSWORD}


def password_grant(base_url: str, user: str = TEST_ADMIN, password: str = TEST_ADMIN_PASSWORD) -> str:
    """An access token from the OpenID provider at `base_url`, as a client gets one: the discovery document names
    the token endpoint, which takes the password grant with the public client id `warden`."""
    discovery = httpx.get(f"{base_url}/.well-known/openid-configuration", timeout=30)
    if discovery.status_code != 200:
        raise AssertionError(f"{base_url} has no discovery document ({discovery.status_code}): {discovery.text}")
    form = {"grant_type": "password", "client_id": "warden", "username": user, "password": password}
    answer = httpx.post(discovery.json()["token_endpoint"], data=form, timeout=30)
    if answer.status_code != 200:
        raise AssertionError(f"{user} could not sign in at {base_url} ({answer.status_code}): {answer.text}")
    token: str = answer.json()["access_token"]
    return token


def bearer_headers(base_url: str, user: str = TEST_ADMIN, password: str = TEST_ADMIN_PASSWORD) -> dict[str, str]:
    """`Authorization: Bearer <token>` of `user` (the test administrator by default) at `base_url`."""
    return {"Authorization": f"Bearer {password_grant(base_url, user, password)}"}


SDK_SIGN_IN = '''
from seldon_deploy_sdk import ApiClient, Configuration
from seldon_deploy_sdk.auth import OIDCAuthenticator


def sdk_configuration(base, user, password):
    """The official SDK's configuration for Warden at `base`: its own OIDC fields, password grant, client `warden`."""
    config = Configuration()
    config.host = base + "/seldon-deploy/api/v1alpha1"
    config.oidc_server = base
    config.oidc_client_id = "warden"
    config.auth_method = "password_grant"
    config.username, config.password = user, password
    return config


def signed_in_client(base, user, password):
    """An `ApiClient` that signed in with the SDK's own `OIDCAuthenticator` (and signs in again on a 401)."""
    config = sdk_configuration(base, user, password)
    authenticator = OIDCAuthenticator(config)
    config.id_token = authenticator.authenticate()
    return ApiClient(config, authenticator=authenticator)
'''
"""Source the e2e tests prepend to the scripts they run in the official SDK's own venv (its packages are not ours,
so this cannot be imported there): how a user of seldon-deploy-sdk 1.6 signs in to Warden."""
