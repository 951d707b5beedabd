"""The built-in provider's authorization code flow with PKCE (RFC 6749 4.1, RFC 7636), as the web UI's redirect
sign-in uses it: the login page, the redirect with code and state, and the token request's refusals (PKCE
mismatch, reused code, wrong redirect_uri, unregistered redirect_uri, plain PKCE)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from .conftest import ADMIN, ADMIN_PASSWORD, API, AUTH_ISSUER, AuthGateway

pytestmark = pytest.mark.integration

CALLBACK = f"{AUTH_ISSUER}/ui/callback"


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_params(challenge: str, **overrides: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": "warden",
        "redirect_uri": CALLBACK,
        "state": "st-" + secrets.token_urlsafe(8),
        "scope": "openid profile",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return {**params, **overrides}


async def login(gw: AuthGateway, params: dict[str, str], password: str = ADMIN_PASSWORD) -> httpx.Response:
    answer: httpx.Response = await gw.client.post(
        "/oauth2/authorize", data={**params, "username": ADMIN, "password": password}
    )
    return answer


async def code_of(gw: AuthGateway, params: dict[str, str]) -> str:
    answer = await login(gw, params)
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert location.startswith(CALLBACK + "?")
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == [params["state"]]  # echoed unchanged
    return query["code"][0]


def redeem(code: str, verifier: str, redirect_uri: str = CALLBACK) -> dict[str, str]:
    return {
        "grant_type": "authorization_code",
        "client_id": "warden",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
    }


async def refused(gw: AuthGateway, form: dict[str, str], error: str = "invalid_grant") -> str:
    answer = await gw.client.post("/oauth2/token", data=form)
    assert (answer.status_code, answer.json()["error"]) == (400, error), answer.text
    description: str = answer.json()["error_description"]
    return description


async def test_code_flow_signs_in_and_its_token_opens_the_api(auth_gateway: AuthGateway) -> None:
    gw = auth_gateway
    verifier, challenge = pkce()
    params = authorize_params(challenge)
    page = await gw.client.get("/oauth2/authorize", params=params)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'name="password"' in page.text and params["state"] in page.text
    assert page.headers["x-frame-options"] == "DENY"  # no clickjacking of the login form

    wrong = await login(gw, params, password="not-the-password")
    assert wrong.status_code == 401 and "wrong user name or password" in wrong.text

    code = await code_of(gw, params)
    answer = await gw.client.post("/oauth2/token", data=redeem(code, verifier))
    assert answer.status_code == 200, answer.text
    token = answer.json()["access_token"]
    who = await gw.client.get(f"{API}/namespaces", headers={"Authorization": f"Bearer {token}"})
    assert who.status_code == 200, who.text

    # single use: the same code again is refused, even with the right verifier
    assert "already used" in await refused(gw, redeem(code, verifier))

    discovery = (await gw.client.get("/.well-known/openid-configuration")).json()
    assert "authorization_code" in discovery["grant_types_supported"]
    assert discovery["code_challenge_methods_supported"] == ["S256"]


async def test_pkce_mismatch_and_wrong_redirect_uri_are_refused_and_burn_the_code(auth_gateway: AuthGateway) -> None:
    gw = auth_gateway
    verifier, challenge = pkce()
    code = await code_of(gw, authorize_params(challenge))
    other_verifier, _ = pkce()
    assert "code_verifier" in await refused(gw, redeem(code, other_verifier))
    # the failed attempt used the code up: the right verifier no longer helps (no guessing against one code)
    await refused(gw, redeem(code, verifier))

    code = await code_of(gw, authorize_params(challenge))
    assert "redirect_uri" in await refused(gw, redeem(code, verifier, redirect_uri=CALLBACK + "/other"))

    code = await code_of(gw, authorize_params(challenge))
    await refused(gw, {**redeem(code, verifier), "code_verifier": "short"})  # RFC 7636 4.1: 43-128 characters
    await refused(gw, redeem("no-such-code", verifier))
    missing = {k: v for k, v in redeem(code, verifier).items() if k != "code_verifier"}
    await refused(gw, missing, "invalid_request")


async def test_authorize_refuses_unregistered_redirects_without_redirecting(auth_gateway: AuthGateway) -> None:
    gw = auth_gateway
    _, challenge = pkce()
    for bad in ("https://evil.example/ui/callback", CALLBACK + "?x=1", CALLBACK.upper()):
        page = await gw.client.get("/oauth2/authorize", params=authorize_params(challenge, redirect_uri=bad))
        assert page.status_code == 400 and "location" not in page.headers
        assert "not registered" in page.text
        posted = await login(gw, authorize_params(challenge, redirect_uri=bad))
        assert posted.status_code == 400 and "location" not in posted.headers
    unknown = await gw.client.get("/oauth2/authorize", params=authorize_params(challenge, client_id="other"))
    assert unknown.status_code == 400 and "unknown client_id" in unknown.text

    # a known client and redirect: other errors go back to the client, with its state (RFC 6749 4.1.2.1)
    for overrides in ({"code_challenge_method": "plain"}, {"code_challenge": "too-short"}, {"response_type": "token"}):
        params = authorize_params(challenge, **overrides)
        answer = await gw.client.get("/oauth2/authorize", params=params)
        assert answer.status_code == 303, answer.text
        query = parse_qs(urlsplit(answer.headers["location"]).query)
        assert query["state"] == [params["state"]] and query["error"][0] in (
            "invalid_request",
            "unsupported_response_type",
        )
        assert "code" not in query


async def test_ui_config_is_public_and_says_how_to_sign_in(auth_gateway: AuthGateway) -> None:
    answer = await auth_gateway.client.get(f"{API}/ui/config")  # no token
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["auth"] == {
        "modes": ["password"],
        "issuer": AUTH_ISSUER,
        "clientId": "warden",
        "scopes": "openid profile",
        "providerName": "Warden",
    }
    assert body["theme"] == {"productName": "Warden", "logoUrl": None, "primary": None, "secondary": None}
