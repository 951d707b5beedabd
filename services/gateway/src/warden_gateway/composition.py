"""Finds Warden's services and composes them into the single standalone app.

Services register a `create_app(settings=None, platform=None)` factory under the `warden.services` entry point
group, so the gateway composes whatever is installed without importing services it does not need.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from importlib.metadata import entry_points

from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.types import ASGIApp, Receive, Scope, Send

from warden_common.errors import NotFound, install_error_handlers
from warden_common.observability import readiness, skeleton_note
from warden_common.platform import Platform
from warden_common.requestmetrics.received import ReceivedAtMiddleware
from warden_gateway.authz.middleware import AuthMiddleware
from warden_gateway.settings import GatewaySettings

logger = logging.getLogger(__name__)

ServiceFactory = Callable[..., FastAPI]

GATEWAY = "gateway"
SERVING = "serving"
DATA_PLANE_PREFIX = "/seldon"


def _keep_full_path(app: ASGIApp, prefix: str) -> ASGIApp:
    """Undo Mount's prefix stripping: the serving app routes the public data plane paths in full."""

    async def call(scope: Scope, receive: Receive, send: Send) -> None:
        await app({**scope, "root_path": scope.get("root_path", "").removesuffix(prefix)}, receive, send)

    return call


def service_names() -> list[str]:
    """Installed services, gateway first."""
    names = sorted({ep.name for ep in entry_points(group="warden.services")})
    return sorted(names, key=lambda n: n != GATEWAY)


def load_service_factory(name: str) -> ServiceFactory:
    """The `create_app` of service `name`; `NotFound` lists the installed ones."""
    for ep in entry_points(group="warden.services"):
        if ep.name == name:
            factory: ServiceFactory = ep.load()
            return factory
    raise NotFound(f"unknown service {name!r}; installed: {', '.join(service_names())}")


def import_services() -> None:
    """Import every installed service's code (what `build_standalone_app` then only has to call)."""
    for name in service_names():
        load_service_factory(name)


def build_standalone_app(platform: Platform, gateway_settings: GatewaySettings | None = None) -> FastAPI:
    """One ASGI app: every service mounted at `/<service>/`, the gateway at `/`.

    Starlette does not run the lifespans of mounted apps, so the root lifespan enters each one (gateway last,
    so the public API opens only once every service behind it is up) and exits them in reverse order.
    """
    # Services reach each other in-process: the same client code as distributed, without the network hop.
    # The apps are registered after they are built; clients are only opened in the lifespans, later.
    local_apps: dict[str, FastAPI] = {}
    shared = dataclasses.replace(platform, local_apps=local_apps)
    apps = {
        name: load_service_factory(name)(**({"settings": gateway_settings} if name == GATEWAY else {}), platform=shared)
        for name in service_names()
    }
    local_apps.update(apps)

    @asynccontextmanager
    async def lifespan(_root: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            for name in sorted(apps, key=lambda n: n == GATEWAY):
                await stack.enter_async_context(apps[name].router.lifespan_context(apps[name]))
                logger.info("%s ready", name, extra={"service": name})
            yield

    root = FastAPI(title="Warden", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    install_error_handlers(root)

    @root.get("/health/live", include_in_schema=False)
    async def live() -> dict[str, str]:
        return {"status": "alive"}

    @root.get("/health/ready", include_in_schema=False)
    async def ready() -> JSONResponse:
        results = await asyncio.gather(*(readiness(app) for app in apps.values()))
        services = {
            name: {"ready": ok, "checks": checks, **skeleton_note(apps[name])}
            for name, (ok, checks) in zip(apps, results, strict=True)
        }
        ok = all(entry["ready"] for entry in services.values())
        # `status` and `checks` (one per service) as every service's own /health/ready has them; then the detail.
        checks = {name: entry["ready"] for name, entry in services.items()}
        body = {"status": "ready" if ok else "not ready", "checks": checks, "mode": platform.mode, "services": services}
        return JSONResponse(body, status_code=200 if ok else 503)

    @root.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        # One process, one registry: every service's metrics, labelled by service.
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    if SERVING in apps:
        # The public data plane (/seldon/{ns}/{name}/...) goes straight to the serving app in this process; in
        # distributed mode the gateway relays the same URLs to the serving service (warden_gateway.dataplane).
        root.mount(DATA_PLANE_PREFIX, _keep_full_path(apps[SERVING], DATA_PLANE_PREFIX), name="data-plane")
    for name, app in apps.items():
        if name != GATEWAY:
            root.mount(f"/{name}", app, name=name)
    root.mount("/", apps[GATEWAY], name=GATEWAY)
    # One check in front of everything on the port (the gateway's own middleware then lets it through).
    root.add_middleware(AuthMiddleware, runtime=apps[GATEWAY].state.auth, mounted_services=frozenset(apps) - {GATEWAY})
    root.add_middleware(ReceivedAtMiddleware)  # outermost: the data plane's latency starts where the request enters
    return root
