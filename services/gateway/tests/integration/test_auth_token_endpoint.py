"""The built-in provider's token endpoint against RFC 6749: each error path answers the RFC's status and `error`
code, a 401 `invalid_client` challenges with HTTP Basic (5.2), Basic credentials are form-urlencoded (2.3.1), and
parameters count once (3.2)."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote_plus

import pytest

from .conftest import ADMIN, ADMIN_PASSWORD, API, AuthGateway

pytestmark = pytest.mark.integration

TOKEN = "/oauth2/token"
FORM = "application/x-www-form-urlencoded"
PASSWORD_GRANT = {"grant_type": "password", "client_id": "warden", "username": ADMIN, "password": ADMIN_PASSWORD}
SECRET = "s3cret:with/colon&amp+ one"  # a colon, a plus and a space: Basic carries them form-urlencoded


def basic(client_id: str, secret: str) -> dict[str, str]:
    pair = f"{client_id}:{secret}".encode()
    return {"Authorization": "Basic " + base64.b64encode(pair).decode()}


async def error_of(gw: AuthGateway, status: int, error: str, **kwargs: Any) -> dict[str, Any]:
    answer = await gw.client.post(TOKEN, **kwargs)
    assert (answer.status_code, answer.json().get("error")) == (status, error), answer.text
    assert answer.headers["cache-control"] == "no-store"
    if status == 401:
        assert answer.headers["www-authenticate"].startswith('Basic realm="warden"')
    else:
        assert "www-authenticate" not in answer.headers
    body: dict[str, Any] = answer.json()
    assert body["error_description"] and body["message"] == body["error_description"]
    return body


async def test_every_error_path_answers_as_rfc_6749_says(auth_gateway: AuthGateway) -> None:
    gw = auth_gateway
    client = {"name": "ci-bot", "password": "client-secret-1", "groups": [], "client": True}
    assert (await gw.client.post(f"{API}/users", json=client, headers=await gw.admin())).status_code == 201

    await error_of(gw, 400, "invalid_request", json=PASSWORD_GRANT)  # not a form
    await error_of(gw, 400, "invalid_request", data={k: v for k, v in PASSWORD_GRANT.items() if k != "grant_type"})
    twice = "grant_type=password&client_id=warden&username=a&username=root&password=" + ADMIN_PASSWORD
    body = await error_of(gw, 400, "invalid_request", content=twice, headers={"Content-Type": FORM})
    assert "username" in body["error_description"]
    await error_of(gw, 400, "invalid_request", data={**PASSWORD_GRANT, "password": ""})  # empty = absent
    await error_of(
        gw,
        400,
        "unsupported_grant_type",
        data={**PASSWORD_GRANT, "grant_type": "urn:ietf:params:oauth:grant-type:device_code"},
    )
    await error_of(gw, 400, "invalid_grant", data={**PASSWORD_GRANT, "password": "wrong"})
    await error_of(
        gw, 400, "unauthorized_client", data={"grant_type": "client_credentials"}, headers=basic("warden", "x")
    )

    # invalid_client: 401 with a Basic challenge, whether the client used Basic or the form
    await error_of(gw, 401, "invalid_client", data={**PASSWORD_GRANT, "client_id": "someone-else"})
    await error_of(gw, 401, "invalid_client", data={"grant_type": "client_credentials"})
    cc = {"grant_type": "client_credentials"}
    await error_of(gw, 401, "invalid_client", data=cc, headers=basic("ci-bot", "wrong"))
    await error_of(gw, 401, "invalid_client", data={**cc, "client_id": "ci-bot", "client_secret": "wrong"})
    await error_of(gw, 401, "invalid_client", data=cc, headers={"Authorization": "Basic not-base64!"})
    await error_of(
        gw, 401, "invalid_client", data=cc, headers={"Authorization": "Basic " + base64.b64encode(b"nocolon").decode()}
    )
    # one authentication method per request, and one client
    both = {**cc, "client_secret": "client-secret-1"}
    await error_of(gw, 400, "invalid_request", data=both, headers=basic("ci-bot", "client-secret-1"))
    other = {**cc, "client_id": "another"}
    await error_of(gw, 400, "invalid_request", data=other, headers=basic("ci-bot", "client-secret-1"))

    # and the right credentials work, in both places
    assert (await gw.client.post(TOKEN, data=PASSWORD_GRANT)).status_code == 200
    # the public client has no secret: one sent anyway (SDK configurations often carry one) is ignored
    assert (await gw.client.post(TOKEN, data={**PASSWORD_GRANT, "client_secret": "ignored"})).status_code == 200
    assert (await gw.client.post(TOKEN, data=cc, headers=basic("ci-bot", "client-secret-1"))).status_code == 200
    form_auth = {**cc, "client_id": "ci-bot", "client_secret": "client-secret-1"}
    assert (await gw.client.post(TOKEN, data=form_auth)).status_code == 200


async def test_basic_credentials_are_form_urlencoded(auth_gateway: AuthGateway) -> None:
    """RFC 6749 2.3.1: the client id and secret are form-urlencoded before Basic encodes them."""
    gw = auth_gateway
    client = {"name": "ci-bot", "password": SECRET, "groups": [], "client": True}
    assert (await gw.client.post(f"{API}/users", json=client, headers=await gw.admin())).status_code == 201
    encoded = basic(quote_plus("ci-bot"), quote_plus(SECRET))
    answer = await gw.client.post(TOKEN, data={"grant_type": "client_credentials"}, headers=encoded)
    assert answer.status_code == 200, answer.text
    # a public client's empty Basic secret (what OAuth libraries send for client_id "warden") is no secret
    assert (await gw.client.post(TOKEN, data=PASSWORD_GRANT, headers=basic("warden", ""))).status_code == 200
