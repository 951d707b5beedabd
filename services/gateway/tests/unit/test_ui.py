"""The web UI (issue 16): the committed build and API types are not stale, and the gateway serves the UI at `/` in
standalone and distributed mode — shell and assets without a token, SPA fallback for UI routes only, everything
else still protected and still answering its own 404.

The apps are built, not started (no lifespan runs), like test_public_openapi.py.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import cast

import httpx
import pytest
from fastapi import FastAPI

from warden_common.auth.settings import AuthSettings
from warden_common.bus.port import Bus
from warden_common.platform import Platform
from warden_common.testing.auth import AUTH_OFF
from warden_gateway.composition import build_standalone_app
from warden_gateway.main import create_app
from warden_gateway.settings import GatewaySettings
from warden_gateway.ui import IMMUTABLE, STAMP_FILE, UI_DIST, build_stamp, install_ui, openapi_text

UI_DIR = Path(__file__).resolve().parents[4] / "ui"
API = "/seldon-deploy/api/v1alpha1"
REBUILD = "run `npm run build` in ui/ and commit services/gateway/src/warden_gateway/ui_dist"


def test_the_committed_build_is_built_from_the_committed_sources() -> None:
    stamp = (UI_DIST / STAMP_FILE).read_text().strip()
    assert stamp == build_stamp(UI_DIR), f"the UI build is stale: {REBUILD}"
    assert (UI_DIST / "index.html").is_file()


def test_the_committed_api_document_and_types_are_current() -> None:
    document = UI_DIR / "src" / "api" / "openapi.json"
    assert document.read_text() == openapi_text(), "ui/src/api/openapi.json is stale: run `npm run gen:api` in ui/"
    first_line = (UI_DIR / "src" / "api" / "schema.d.ts").read_text().split("\n", 1)[0]
    sha = hashlib.sha256(document.read_bytes()).hexdigest()
    assert first_line == f"// openapi.json sha256: {sha}", "ui/src/api/schema.d.ts is stale: run `npm run gen:api`"


def test_the_stamp_covers_sources_and_lockfile(tmp_path: Path) -> None:
    for name in ("index.html", "package.json", "package-lock.json", "tsconfig.json", "vite.config.ts"):
        (tmp_path / name).write_text(name)
    (tmp_path / "src" / "a").mkdir(parents=True)
    (tmp_path / "src" / "a.ts").write_text("1")
    (tmp_path / "src" / "a" / "b.ts").write_text("2")
    before = build_stamp(tmp_path)
    (tmp_path / "src" / "a" / "b.ts").write_text("3")
    changed_source = build_stamp(tmp_path)
    (tmp_path / "package-lock.json").write_text("other")
    assert len({before, changed_source, build_stamp(tmp_path)}) == 3


AUTH_ON = AuthSettings(enabled=True, issuer="http://warden.example", signing_key_passphrase="not-a-secret")


def _app(mode: str, auth: AuthSettings) -> FastAPI:
    settings = GatewaySettings(auth=auth, database={"dsn": "postgresql://nobody@127.0.0.1:1/none"})
    if mode == "standalone":
        return build_standalone_app(Platform(mode="standalone", bus=cast(Bus, object())), settings)
    return create_app(settings)


@pytest.fixture(params=["standalone", "distributed"], scope="module")
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://warden")


def _asset_paths() -> list[str]:
    index = (UI_DIST / "index.html").read_text()
    assets = re.findall(r'(?:src|href)="(/assets/[^"]+)"', index)
    assert assets, "index.html loads no /assets/ file"
    return assets


async def test_shell_and_assets_are_public_and_the_api_is_not(mode: str) -> None:
    index = (UI_DIST / "index.html").read_text()
    async with _client(_app(mode, AUTH_ON)) as client:
        for path in ("/", "/ui", "/ui/signin", "/ui/namespaces/seldon/seldondeployments/iris"):
            page = await client.get(path)
            assert (page.status_code, page.text) == (200, index), path
            assert page.headers["content-type"].startswith("text/html")
            assert page.headers["cache-control"] == "no-cache"  # a new build shows up on the next load
        for asset in _asset_paths():
            answer = await client.get(asset)
            assert answer.status_code == 200, asset
            assert answer.headers["cache-control"] == IMMUTABLE
        # Only the UI's own routes are public: API calls, writes to UI paths, data-plane calls need the token.
        for method, path in (("GET", f"{API}/namespaces"), ("POST", "/ui/signin"), ("GET", "/seldon/seldon/iris/x")):
            refused = await client.request(method, path)
            assert refused.status_code == 401, (method, path)
            assert refused.json()["reason"] == "unauthorized"


async def test_no_fallback_to_the_ui_outside_its_routes(mode: str) -> None:
    paths = [f"{API}/nothing", "/seldon-deploy/nothing", "/oauth2/nothing", "/assets/missing.js", "/nothing", "/uix"]
    if mode == "standalone":
        paths += ["/metadata/nothing", "/batch/nothing"]
    async with _client(_app(mode, AUTH_OFF)) as client:
        for path in paths:
            answer = await client.get(path)
            assert answer.status_code == 404, path
            assert "<html" not in answer.text.lower(), path


async def test_a_checkout_without_a_build_says_how_to_make_one(tmp_path: Path) -> None:
    app = FastAPI()
    install_ui(app, tmp_path)
    async with _client(app) as client:
        answer = await client.get("/ui/x")
    assert answer.status_code == 404
    assert "npm run build" in answer.json()["message"]
