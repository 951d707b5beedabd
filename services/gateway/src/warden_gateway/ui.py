"""The web UI (`ui/` in the repository), served by the gateway at `/` from the build committed in `ui_dist/`.

- `/` and every path under `/ui/` answer `index.html` (the single-page app routes on the client); nothing else falls
  back to it, so API, data-plane, OAuth2 and service paths keep their own 404s.
- `/assets/...` are Vite's content-hashed files: cached for a year, immutable.
- The shell and assets hold no data, so they need no token (`authz.rules.is_ui_path`); the API calls they make do.

The routes are plain Starlette routes, not API routes: they are not part of the public OpenAPI document.

`python -m warden_gateway.ui openapi <file>` writes the public OpenAPI document (standalone, auth on, as `warden up`
serves it) without starting a server; the UI's API types are generated from it. `build_stamp` is the digest the UI
build writes to `ui_dist/build-stamp.txt` (`ui/scripts/stamp.mjs` computes the same), so a test can tell a stale build.
"""

from __future__ import annotations

import hashlib
import json
import sys
from importlib.resources import files
from pathlib import Path
from typing import Any, cast

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

UI_DIST = Path(str(files("warden_gateway") / "ui_dist"))
UI_PREFIX = "/ui"
ASSETS_URL = "/assets"
STAMP_FILE = "build-stamp.txt"
STAMPED = ("index.html", "package.json", "package-lock.json", "tsconfig.json", "vite.config.ts")
"""Files of `ui/` the build stamp covers, besides everything under `ui/src/`."""
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"


class _HashedAssets(StaticFiles):
    """Vite's `assets/` files carry a content hash in their names: a browser may keep them for good."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = IMMUTABLE
        return response


def install_ui(app: FastAPI, dist: Path = UI_DIST) -> None:
    """Serve the UI build in `dist` at `/`, `/ui/...` (index.html) and `/assets/...` (hashed files)."""
    index = dist / "index.html"

    async def shell(_request: Request) -> Response:
        if not index.is_file():  # a checkout without the build: say how to make one rather than a bare 404
            return Response(
                json.dumps({"code": "ui_not_built", "message": "the web UI is not built: run `npm run build` in ui/"}),
                status_code=404,
                media_type="application/json",
            )
        return FileResponse(index, headers={"Cache-Control": NO_CACHE})

    app.add_route("/", shell, methods=["GET", "HEAD"], include_in_schema=False)
    app.add_route(UI_PREFIX, shell, methods=["GET", "HEAD"], include_in_schema=False)
    app.add_route(UI_PREFIX + "/{rest:path}", shell, methods=["GET", "HEAD"], include_in_schema=False)
    app.mount(ASSETS_URL, _HashedAssets(directory=dist / "assets", check_dir=False), name="ui-assets")


def stamp_inputs(ui_dir: Path) -> list[Path]:
    # Ordered by the relative path as a string (code points), as ui/scripts/stamp.mjs orders them.
    sources = [p for p in (ui_dir / "src").rglob("*") if p.is_file()]
    sources.sort(key=lambda p: p.relative_to(ui_dir).as_posix())
    return [ui_dir / name for name in STAMPED] + sources


def build_stamp(ui_dir: Path) -> str:
    """sha256 over (relative path, sha256 of content) of the UI's sources and lockfile, in a fixed order."""
    digest = hashlib.sha256()
    for path in stamp_inputs(ui_dir):
        relative = path.relative_to(ui_dir).as_posix()
        digest.update(f"{relative}\0{hashlib.sha256(path.read_bytes()).hexdigest()}\n".encode())
    return digest.hexdigest()


def public_openapi_document() -> dict[str, Any]:
    """The public OpenAPI document of a standalone Warden with auth on, built in-process (no lifespan runs)."""
    from warden_common.bus.port import Bus
    from warden_common.platform import Platform
    from warden_gateway.composition import GATEWAY, build_standalone_app
    from warden_gateway.settings import GatewaySettings

    root = build_standalone_app(Platform(mode="standalone", bus=cast(Bus, object())), GatewaySettings())
    for route in root.routes:
        if getattr(route, "name", None) == GATEWAY:
            gateway = cast(FastAPI, route.app)  # type: ignore[attr-defined]
            return gateway.openapi()
    raise RuntimeError("the standalone app has no gateway mounted")


def openapi_text() -> str:
    return json.dumps(public_openapi_document(), indent=1, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "openapi":
        print("usage: python -m warden_gateway.ui openapi <file>", file=sys.stderr)
        return 2
    Path(argv[1]).write_text(openapi_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
