"""`/seldon-deploy/swagger/`: Swagger UI over the public OpenAPI document, with its JS/CSS served by Warden.

The assets come from the pinned `swagger-ui-py` wheel (which ships the swagger-ui dist), so the page works
offline and loads nothing from a CDN or any other host.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

from warden_gateway.identity.issuer import PUBLIC_CLIENT_ID

DOCS_URL = "/seldon-deploy/swagger/"
ASSETS_URL = DOCS_URL + "assets"


def install_swagger_ui(app: FastAPI, *, openapi_url: str, title: str) -> None:
    """Serve Swagger UI at `DOCS_URL` for the document at `openapi_url`, assets under `ASSETS_URL`."""
    assets = files("swagger_ui") / "static"

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        # Behind a mount (standalone) or a proxy prefix, every URL the page loads carries the root path.
        root = request.scope.get("root_path", "").rstrip("/")
        return get_swagger_ui_html(
            openapi_url=root + openapi_url,
            title=title,
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/favicon-32x32.png",
            # Swagger UI's default posts the document to validator.swagger.io for a badge: an external host.
            swagger_ui_parameters={"validatorUrl": None},
            init_oauth={"clientId": PUBLIC_CLIENT_ID},  # "Authorize": the password grant's public client
        )

    app.mount(ASSETS_URL, StaticFiles(directory=str(assets)), name="swagger-ui-assets")
