"""A gateway on a real PostgreSQL database and the real PostgreSQL bus, called in-process over ASGI.

`gateway.events` collects everything published on the deployments topic (a subscriber of its own group), so a
test asserts on what the runtime would receive.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import SecretStr

from warden_common import topics
from warden_common.bus.factory import create_bus
from warden_common.bus.port import Bus
from warden_common.codec import Event
from warden_common.platform import Platform
from warden_common.settings import BusSettings
from warden_common.testing.auth import AUTH_OFF
from warden_common.testing.waiting import eventually
from warden_gateway.main import create_app
from warden_gateway.settings import GatewaySettings

API = "/seldon-deploy/api/v1alpha1"
DATA = Path(__file__).parent.parent / "data"


def load(name: str) -> dict[str, Any]:
    text = (DATA / name).read_text()
    loaded: dict[str, Any] = yaml.safe_load(text) if name.endswith(".yaml") else json.loads(text)
    return loaded


@dataclass
class Gateway:
    client: httpx.AsyncClient
    bus: Bus
    events: list[Event] = field(default_factory=list)

    def of_type(self, type_: str, key: str | None = None) -> list[dict[str, Any]]:
        """Payloads (as dicts) of collected events of `type_`, optionally for deployment `ns/name`."""
        out = []
        for event in self.events:
            data = event.get_data()
            payload = json.loads(data) if isinstance(data, (bytes, str)) else data
            assert isinstance(payload, dict)
            if event.get_type() == type_ and (key is None or f"{payload['namespace']}/{payload['name']}" == key):
                out.append(payload)
        return out

    async def wait_events(self, type_: str, key: str, count: int) -> list[dict[str, Any]]:
        found = await eventually(
            lambda: len(found := self.of_type(type_, key)) >= count and found, f"{count} {type_} event(s) of {key}"
        )
        return list(found)


@pytest.fixture
def serving_stub() -> FastAPI:
    """Stands in for the serving service's data plane: echoes what reached it, as a model would answer."""
    app = FastAPI()

    @app.post("/seldon/{namespace}/{name}/{rest:path}")
    async def data_plane(namespace: str, name: str, rest: str, request: Request) -> JSONResponse:
        body = await request.json()
        answer = {"data": {"ndarray": [[0.1, 0.9]]}, "meta": {"echo": {"path": request.url.path, "body": body}}}
        return JSONResponse(answer, headers={"Seldon-Puid": request.headers.get("seldon-puid", "generated-puid")})

    @app.get("/api/v1alpha1/namespaces/{namespace}/{plural}/{name}/resources")
    async def resources(namespace: str, plural: str, name: str, request: Request) -> list[dict[str, Any]]:
        return [{"component": f"{plural}/{namespace}/{name}", "query": request.url.query}]

    return app


@pytest.fixture
async def gateway(fresh_database: str, unique_name: str, serving_stub: FastAPI) -> AsyncIterator[Gateway]:
    bus = create_bus(BusSettings(kind="postgres", postgres_dsn=SecretStr(fresh_database), partitions=2))
    await bus.start()
    try:
        platform = Platform(
            mode="standalone", bus=bus, database_dsn=fresh_database, local_apps={"serving": serving_stub}
        )
        app = create_app(GatewaySettings(auth=AUTH_OFF), platform)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://warden.test") as client:
                gw = Gateway(client=client, bus=bus)

                async def collect(event: Event) -> None:
                    gw.events.append(event)

                await bus.subscribe(topics.DEPLOYMENTS, group=f"test-{unique_name}", handler=collect)
                yield gw
    finally:
        await bus.close()


# --- auth enabled (issue 12): a gateway that demands tokens, its built-in provider, helpers to log in -------------

ADMIN = "root"
ADMIN_PASSWORD = "root-password-1"
AUTH_ISSUER = "http://warden.test"
SIGNING_PASSPHRASE = "test-signing-passphrase"


def auth_settings(**overrides: Any) -> GatewaySettings:
    from warden_common.auth.settings import AuthSettings

    fields: dict[str, Any] = {
        "enabled": True,
        "mode": "policies",
        "issuer": AUTH_ISSUER,
        "signing_key_passphrase": SecretStr(SIGNING_PASSPHRASE),
        "policy_refresh_s": 0.3,
    }
    auth = AuthSettings(**{**fields, **overrides})
    return GatewaySettings(auth=auth)


@dataclass
class AuthGateway:
    app: FastAPI
    client: httpx.AsyncClient
    events: list[Event] = field(default_factory=list)

    async def token(self, user: str, password: str) -> str:
        answer = await self.client.post(
            "/oauth2/token",
            data={"grant_type": "password", "client_id": "warden", "username": user, "password": password},
        )
        assert answer.status_code == 200, answer.text
        token: str = answer.json()["access_token"]
        return token

    async def headers(self, user: str, password: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.token(user, password)}"}

    async def admin(self) -> dict[str, str]:
        return await self.headers(ADMIN, ADMIN_PASSWORD)

    async def add_user(self, name: str, groups: list[str], password: str = "secret-password") -> dict[str, str]:
        body = {"name": name, "password": password, "groups": groups}
        answer = await self.client.post(f"{API}/users", json=body, headers=await self.admin())
        assert answer.status_code == 201, answer.text
        return await self.headers(name, password)

    async def set_policy(self, policy: dict[str, Any]) -> None:
        answer = await self.client.put(f"{API}/authorization/policies", json=policy, headers=await self.admin())
        assert answer.status_code == 200, answer.text


@asynccontextmanager
async def auth_gateway_app(
    database: str, serving_stub: FastAPI, settings: GatewaySettings, bus: Bus, **local_apps: FastAPI
) -> AsyncIterator[AuthGateway]:
    """`local_apps`: more services in-process beside the serving stub (their lifespans are the caller's)."""
    apps = {"serving": serving_stub, **local_apps}
    platform = Platform(mode="standalone", bus=bus, database_dsn=database, local_apps=apps)
    app = create_app(settings, platform)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=AUTH_ISSUER) as client:
            yield AuthGateway(app=app, client=client)


@asynccontextmanager
async def admin_and_bus(database: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Bus]:
    """The first admin's credentials in the environment and a started PostgreSQL bus: what every auth app needs."""
    monkeypatch.setenv("WARDEN_ADMIN_USER", ADMIN)
    monkeypatch.setenv("WARDEN_ADMIN_PASSWORD", ADMIN_PASSWORD)
    bus = create_bus(BusSettings(kind="postgres", postgres_dsn=SecretStr(database), partitions=2))
    await bus.start()
    try:
        yield bus
    finally:
        await bus.close()


@pytest.fixture
async def auth_gateway(
    fresh_database: str, unique_name: str, serving_stub: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[AuthGateway]:
    async with (
        admin_and_bus(fresh_database, monkeypatch) as bus,
        auth_gateway_app(fresh_database, serving_stub, auth_settings(), bus) as gw,
    ):

        async def collect(event: Event) -> None:
            gw.events.append(event)

        await bus.subscribe(topics.DEPLOYMENTS, group=f"test-{unique_name}", handler=collect)
        yield gw
