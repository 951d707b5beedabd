"""Standalone with auth on: a real Go executor (sdk-go, as Seldon Core's executor and KServe's agent send) posts to
`POST /request-logger/` with `auth.ingest_token` in its logger URL's userinfo, which Go sends as HTTP Basic. The
root app's auth middleware sits in front of the real request logger, mounted as `warden up` mounts it, on a real
socket, store (PostgreSQL) and bus."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.routing import Mount

from warden_common.platform import Platform
from warden_common.testing.executor import send_cloudevent, sender
from warden_common.testing.processes import serving
from warden_gateway.authz.middleware import AuthMiddleware
from warden_request_logger.main import create_app as create_logger_app
from warden_request_logger.settings import RequestLoggerSettings

from .conftest import AuthGateway, admin_and_bus, auth_gateway_app, auth_settings

pytestmark = pytest.mark.integration

TOKEN = "standalone ingest token"
REQUEST = {"data": {"ndarray": [[5.1, 3.5, 1.4, 0.2]]}}


@pytest.fixture
async def standalone(
    fresh_database: str, unique_name: str, serving_stub: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[str, AuthGateway]]:
    """(base URL of the root app, the gateway whose auth runtime guards it)."""
    async with admin_and_bus(fresh_database, monkeypatch) as bus:
        platform = Platform(mode="standalone", bus=bus, database_dsn=fresh_database)
        settings = RequestLoggerSettings(consumer_group=f"rl-{unique_name}", instance_id=unique_name)
        logger = create_logger_app(settings, platform)
        gateway_settings = auth_settings(ingest_token=SecretStr(TOKEN))
        async with (
            logger.router.lifespan_context(logger),
            auth_gateway_app(fresh_database, serving_stub, gateway_settings, bus) as gw,
        ):
            root = Starlette(routes=[Mount("/request-logger", app=logger, name="request-logger")])
            guarded = AuthMiddleware(root, gw.app.state.auth, mounted_services=frozenset({"request-logger"}))
            async with serving(guarded) as base:
                yield base, gw


async def test_a_go_executor_posts_with_the_ingest_token_as_basic_password(
    standalone: tuple[str, AuthGateway],
) -> None:
    base, gw = standalone
    binary = await asyncio.to_thread(sender)
    host = base.removeprefix("http://")

    async def send(userinfo: str) -> tuple[str, Any]:
        rid = str(uuid.uuid4())
        ext = {"requestid": rid, "modelid": "classifier", "inferenceservicename": "iris", "namespace": "seldon"}
        url = f"http://{userinfo}{host}/request-logger/"
        return rid, await send_cloudevent(binary, url, "io.seldon.serving.inference.request", rid, ext, REQUEST)

    logged, sent = await send(f"warden:{quote(TOKEN, safe='')}@")
    assert (sent.status, sent.acknowledged) == (200, True), sent.output
    refused = []
    for userinfo in ("", "warden:wrong@", "warden:@"):
        rid, sent = await send(userinfo)
        assert (sent.status, sent.acknowledged) == (401, False), f"{userinfo!r}: {sent.output}"
        refused.append(rid)

    async with httpx.AsyncClient(base_url=base) as client:
        answer = await client.post("/request-logger/", json=REQUEST)
        assert answer.status_code == 401
        assert [c.split()[0] for c in answer.headers.get_list("www-authenticate")] == ["Bearer", "Basic"]
        assert "auth.ingest_token" in answer.json()["message"]
        # the token opens nothing else, even as Basic
        search = await client.get("/request-logger/api/v1alpha1/requests", auth=("warden", TOKEN))
        assert search.status_code == 401
        admin = await gw.admin()

        async def logged_ids() -> set[str]:
            found = await client.get("/request-logger/api/v1alpha1/requests", headers=admin,
                                     params={"namespace": "seldon", "pageSize": 100})  # fmt: skip
            assert found.status_code == 200, found.text
            return {hit["requestId"] for hit in found.json()["requests"]}

        assert logged in await logged_ids()
        assert not set(refused) & await logged_ids()
