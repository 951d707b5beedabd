"""With auth on: no route of the gateway's port answers without a valid token (aside the exempt ones), a
read-only user reaches no write route, forged tokens are refused, policy changes reach every replica within
seconds, and password guessing is throttled. Real PostgreSQL, real keys, over HTTP (ASGI)."""

from __future__ import annotations

import base64
import json
import re
import time
from typing import Any, cast

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import SecretStr
from starlette.routing import Mount, Route
from starlette.types import Receive, Scope, Send

from warden_common.bus.port import Bus
from warden_common.db import open_pool
from warden_common.platform import Platform
from warden_common.testing.waiting import eventually
from warden_gateway.authz.middleware import AuthMiddleware
from warden_gateway.authz.rules import EXEMPT_PATHS, is_ui_path
from warden_gateway.composition import build_standalone_app
from warden_gateway.identity.keys import SigningKeys

from .conftest import API, AUTH_ISSUER, SIGNING_PASSPHRASE, AuthGateway, auth_gateway_app, auth_settings

pytestmark = pytest.mark.integration

READER_POLICY = {
    "user_grants": {
        "reader": [
            {"resource": "namespace/seldon", "action": "read"},
            {"resource": "project/default", "action": "read"},
        ]
    }
}
# Routes outside the OpenAPI document (forwarded to other services, or the data plane): walked too.
UNDOCUMENTED = [
    ("POST", "/seldon/seldon/iris/api/v1.0/predictions"),
    ("GET", "/seldon/seldon/iris/api/v1.0/metadata"),
    ("POST", "/seldon/seldon/iris/v2/models/iris/infer"),
    ("GET", f"{API}/model/metadata"),
    ("POST", f"{API}/model/metadata"),
    ("PUT", f"{API}/model/metadata"),
    ("GET", f"{API}/requests"),
    ("GET", f"{API}/namespaces/seldon/seldondeployments/iris/requests"),
]
READ_ONLY_POSTS = {"validate"}  # POSTs that store nothing


def _concrete(path: str) -> str:
    values = {"namespace": "seldon", "name": "iris"}
    return re.sub(r"\{(\w+)(:path)?\}", lambda m: values.get(m.group(1), "x"), path)


async def _routes(gw: AuthGateway) -> list[tuple[str, str]]:
    document = (await gw.client.get(f"{API}/openapi.json")).json()
    documented = [
        (method.upper(), _concrete(path))
        for path, operations in document["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    ]
    assert len(documented) > 20, "the walk must cover the API, not an empty document"
    # Every route the app has, documented or not (forwarders, the data plane relay, Swagger's own pages).
    registered = [
        (method, _concrete(route.path))
        for route in gw.app.routes
        if isinstance(route, APIRoute | Route)
        for method in sorted(route.methods or ())
        if method != "HEAD"
    ]
    walked = sorted(set(documented + UNDOCUMENTED + registered))
    assert set(registered) - set(documented), "hidden routes are walked too"
    return walked


async def test_no_route_answers_without_a_valid_token(auth_gateway: AuthGateway) -> None:
    gw = auth_gateway
    walked = 0
    for method, path in await _routes(gw):
        if path in EXEMPT_PATHS or (method == "GET" and is_ui_path(path)):  # the web UI's shell: no data
            continue
        for headers in ({}, {"Authorization": "Bearer not-a-jwt"}, {"Authorization": "Basic cm9vdDpyb290"}):
            answer = await gw.client.request(method, path, headers=headers, json={})
            assert answer.status_code == 401, f"{method} {path} with {headers}: {answer.status_code} {answer.text}"
            assert answer.headers["www-authenticate"].startswith('Bearer realm="warden"')
            assert answer.json()["reason"] in ("unauthorized", "invalid_token")
        walked += 1
    assert walked > 25


async def test_exempt_routes_answer_without_a_token(auth_gateway: AuthGateway) -> None:
    gw = auth_gateway
    for path in ("/health/live", "/health/ready", "/metrics", "/.well-known/openid-configuration", "/oauth2/jwks"):
        assert (await gw.client.get(path)).status_code == 200, path
    discovery = (await gw.client.get("/.well-known/openid-configuration")).json()
    assert discovery["issuer"] == AUTH_ISSUER
    assert discovery["token_endpoint"] == f"{AUTH_ISSUER}/oauth2/token"
    assert (await gw.client.get("/seldon-deploy/swagger/")).status_code == 200
    for path in ("/", "/ui/namespaces/seldon"):  # the web UI's shell (its assets: gateway unit test_ui.py)
        page = await gw.client.get(path)
        assert (page.status_code, page.headers["content-type"].split(";")[0]) == (200, "text/html"), path


async def test_a_read_only_user_reaches_no_write_route(auth_gateway: AuthGateway) -> None:
    gw = auth_gateway
    await gw.set_policy(READER_POLICY)
    reader = await gw.add_user("reader", ["some-team"])
    writes = [
        (method, path)
        for method, path in await _routes(gw)
        if method != "GET" and path not in EXEMPT_PATHS and path.rsplit("/", 1)[-1] not in READ_ONLY_POSTS
    ]
    assert len(writes) > 15
    for method, path in writes:
        answer = await gw.client.request(method, path, headers=reader, json={})
        assert answer.status_code == 403, f"{method} {path}: {answer.status_code} {answer.text}"
        assert "reader" in answer.json()["message"]
    # ...while reading is allowed, and the write routes do work for a writer
    assert (await gw.client.get(f"{API}/namespaces/seldon/seldondeployments", headers=reader)).status_code == 200
    listed = (await gw.client.get(f"{API}/namespaces", headers=reader)).json()
    assert [ns["name"] for ns in listed] == ["seldon"]
    created = await gw.client.post(f"{API}/namespaces", json={"name": "private"}, headers=await gw.admin())
    assert created.status_code == 201
    assert [ns["name"] for ns in (await gw.client.get(f"{API}/namespaces", headers=reader)).json()] == ["seldon"]


def _forge(claims: dict[str, Any], key: Any, kid: str, alg: str = "RS256") -> str:
    return jwt.encode(claims, key, algorithm=alg, headers={"kid": kid})


async def test_forged_stale_and_misdirected_tokens_are_refused(auth_gateway: AuthGateway, fresh_database: str) -> None:
    gw = auth_gateway
    await gw.token("root", "root-password-1")  # the provider has a signing key now
    async with open_pool(fresh_database) as pool:
        real = await SigningKeys(pool, SIGNING_PASSPHRASE.encode(), 3600).current()
    now = int(time.time())
    good = {
        "iss": AUTH_ISSUER,
        "aud": "warden",
        "iat": now,
        "exp": now + 600,
        "preferred_username": "root",
        "groups": ["warden-admins"],
    }
    url = f"{API}/namespaces"
    assert (
        await gw.client.get(url, headers={"Authorization": f"Bearer {_forge(good, real.private, real.kid)}"})
    ).status_code == 200

    def none_alg(claims: dict[str, Any]) -> str:
        def part(obj: dict[str, Any]) -> str:
            return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

        return f"{part({'alg': 'none', 'kid': real.kid})}.{part(claims)}."

    cases = {
        "expired": _forge({**good, "iat": now - 7200, "exp": now - 3600}, real.private, real.kid),
        "wrongly signed": _forge(good, rsa.generate_private_key(public_exponent=65537, key_size=2048), real.kid),
        "wrong issuer": _forge({**good, "iss": "http://elsewhere.test"}, real.private, real.kid),
        "wrong audience": _forge({**good, "aud": "another-client"}, real.private, real.kid),
        "alg none": none_alg(good),
        "HS256 (a shared secret)": jwt.encode(good, "a-secret-of-thirty-two-bytes-min", "HS256", {"kid": real.kid}),
    }
    for case, token in cases.items():
        answer = await gw.client.get(url, headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 401, f"{case}: {answer.status_code} {answer.text}"
        assert 'error="invalid_token"' in answer.headers["www-authenticate"], case


async def test_a_policy_change_reaches_another_replica_within_seconds(
    auth_gateway: AuthGateway, fresh_database: str, serving_stub: FastAPI
) -> None:
    gw = auth_gateway
    await gw.set_policy({"user_grants": {}})
    dave = await gw.add_user("dave", [])
    url = f"{API}/namespaces/seldon/seldondeployments"
    async with auth_gateway_app(fresh_database, serving_stub, auth_settings(), cast(Bus, _NoBus())) as replica:
        dave_there = {"Authorization": dave["Authorization"]}  # the same key signs for both replicas
        assert (await replica.client.get(url, headers=dave_there)).status_code == 403
        await gw.set_policy({"user_grants": {"dave": [{"resource": "namespace/seldon", "action": "read"}]}})
        started = time.monotonic()
        await eventually(
            lambda: _status(replica.client, url, dave_there, 200), "the other replica applies the new policy", 5.0
        )
        assert time.monotonic() - started < 5.0


async def _status(client: httpx.AsyncClient, url: str, headers: dict[str, str], expected: int) -> bool:
    return (await client.get(url, headers=headers)).status_code == expected


class _NoBus:
    """The second replica publishes nothing in this test; only its readiness asks the bus."""

    async def ready(self) -> bool:
        return True

    async def subscribe(self, *args: Any, **kwargs: Any) -> Any:
        class _Stop:
            async def stop(self) -> None:
                return None

        return _Stop()


async def test_password_guessing_is_throttled_per_user_and_ip(auth_gateway: AuthGateway) -> None:
    gw = auth_gateway
    form = {"grant_type": "password", "client_id": "warden", "username": "root"}
    for _ in range(5):
        wrong = await gw.client.post("/oauth2/token", data={**form, "password": "guess"})
        assert wrong.status_code == 400
        assert wrong.json()["error"] == "invalid_grant"
    blocked = await gw.client.post("/oauth2/token", data={**form, "password": "root-password-1"})
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    # another client address is not blocked by this one's failures
    other = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=gw.app, client=("10.1.2.3", 4000)), base_url=AUTH_ISSUER
    )
    async with other:
        assert (await other.post("/oauth2/token", data={**form, "password": "root-password-1"})).status_code == 200


async def test_service_clients_use_the_client_credentials_grant(auth_gateway: AuthGateway) -> None:
    gw = auth_gateway
    body = {"name": "ci-bot", "password": "client-secret-1", "groups": ["warden-admins"], "client": True}
    assert (await gw.client.post(f"{API}/users", json=body, headers=await gw.admin())).status_code == 201
    # a client is not a person: no password grant for it
    as_user = {"grant_type": "password", "client_id": "warden", "username": "ci-bot", "password": "client-secret-1"}
    assert (await gw.client.post("/oauth2/token", data=as_user)).status_code == 400
    token = await gw.client.post(
        "/oauth2/token", data={"grant_type": "client_credentials"}, auth=("ci-bot", "client-secret-1")
    )
    assert token.status_code == 200, token.text
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert (await gw.client.get(f"{API}/users", headers=headers)).status_code == 200


async def test_a_rotated_key_signs_new_tokens_and_old_ones_still_verify(auth_gateway: AuthGateway) -> None:
    gw = auth_gateway
    before = await gw.admin()
    rotated = await gw.client.post(f"{API}/authorization/keys/rotate", headers=before)
    assert rotated.status_code == 200
    after = await gw.admin()
    kids = {jwt.get_unverified_header(h["Authorization"].split()[1])["kid"] for h in (before, after)}
    assert len(kids) == 2
    published = {key["kid"] for key in (await gw.client.get("/oauth2/jwks")).json()["keys"]}
    assert kids <= published
    for headers in (before, after):
        assert (await gw.client.get(f"{API}/users", headers=headers)).status_code == 200


async def test_standalone_guards_every_mounted_service_and_the_data_plane() -> None:
    """The root app of `warden up` answers 401 before any mounted app runs (no lifespan needed for that)."""
    root = build_standalone_app(Platform(mode="standalone", bus=cast(Bus, _NoBus())), auth_settings())
    mounts = [route.path for route in root.routes if isinstance(route, Mount) and route.path]
    assert "/seldon" in mounts and "/request-logger" in mounts
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=root), base_url="http://w") as client:
        for mount in mounts:
            for method, suffix in (("GET", "/api/v1alpha1/anything"), ("POST", "/seldon/iris/api/v1.0/predictions")):
                answer = await client.request(method, f"{mount}{suffix}", json={})
                assert answer.status_code == 401, f"{method} {mount}{suffix}: {answer.status_code}"
        assert (await client.get("/request-logger/health/live")).status_code == 200
        assert (await client.get(f"{API}/namespaces")).status_code == 401


async def test_executors_post_to_the_ingestion_route_with_the_shared_token(auth_gateway: AuthGateway) -> None:
    """The root middleware of standalone in front of a stand-in request logger: the shared token or an admin."""
    gw = auth_gateway
    runtime = gw.app.state.auth
    runtime.settings = runtime.settings.model_copy(update={"ingest_token": SecretStr("executor-shared-secret")})

    async def logger_stub(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    root = AuthMiddleware(logger_stub, runtime, mounted_services=frozenset({"request-logger"}))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=root), base_url="http://w") as client:
        assert (await client.post("/request-logger/", json={})).status_code == 401
        wrong = {"Authorization": "Bearer executor-shared-secreT"}
        assert (await client.post("/request-logger/", json={}, headers=wrong)).status_code == 401
        right = {"Authorization": "Bearer executor-shared-secret"}
        assert (await client.post("/request-logger/", json={}, headers=right)).status_code == 200
        # the shared token opens nothing else
        assert (await client.get("/request-logger/api/v1alpha1/requests", headers=right)).status_code == 401
        alice = await gw.add_user("alice", [])
        assert (await client.post("/request-logger/", json={}, headers=alice)).status_code == 403
        assert (await client.post("/request-logger/", json={}, headers=await gw.admin())).status_code == 200
