"""The one way a Warden service builds its FastAPI app, so every service looks and behaves alike."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, ExitStack, asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar, cast

from fastapi import APIRouter, Depends, FastAPI, Request

from warden_common import __version__
from warden_common.api_docs import COMMON_ERROR_RESPONSES
from warden_common.bodies import BodyLimitMiddleware
from warden_common.error_responses import document_error_responses
from warden_common.errors import ServiceUnavailable, install_error_handlers
from warden_common.names import path_params_checked
from warden_common.observability import HttpMetricsMiddleware, add_readiness_check, health_router
from warden_common.platform import Platform, platform_scope
from warden_common.requestmetrics.received import ReceivedAtMiddleware
from warden_common.settings import ServiceSettings

ServiceSetup = Callable[[FastAPI, Platform], AbstractAsyncContextManager[None]]
"""Opens what a service owns (stores, consumers) on top of the platform; closes it on exit."""

T = TypeVar("T")


@asynccontextmanager
async def _no_setup(_app: FastAPI, _platform: Platform) -> AsyncIterator[None]:
    yield


def create_service_app(
    name: str,
    *,
    settings: ServiceSettings,
    platform: Platform | None = None,
    routers: Sequence[APIRouter] = (),
    setup: ServiceSetup = _no_setup,
    skeleton: bool = False,
    **fastapi_kwargs: Any,
) -> FastAPI:
    """A FastAPI app with Warden's error handler, body size limit, health/metrics routes and platform lifecycle.

    `platform` is given in standalone mode (shared, closed by its owner); otherwise the app builds its own
    from `settings` in its lifespan. `setup` opens service-specific resources after the platform is up.
    `skeleton` marks a service whose features are not built yet: its health says so, so that a ready process
    is never taken for a working feature.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with platform_scope(settings, platform) as active, setup(app, active):
            app.state.platform = active
            add_readiness_check(app, "bus", active.bus.ready)
            app.state.started = True
            try:
                yield
            finally:
                app.state.started = False

    # No per-service HTML docs (they load Swagger UI from a CDN): the gateway's /seldon-deploy/swagger/ documents
    # every service's public routes offline; each service keeps its machine-readable /openapi.json.
    fastapi_kwargs = {"docs_url": None, "redoc_url": None, **fastapi_kwargs}
    # Path parameters (names) are checked before any dependency runs; see `names.path_params_checked`.
    dependencies = [Depends(path_params_checked), *fastapi_kwargs.pop("dependencies", [])]
    app = FastAPI(
        title=f"Warden {name}", version=__version__, lifespan=lifespan, dependencies=dependencies, **fastapi_kwargs
    )
    app.state.service_name = name
    app.state.settings = settings
    app.state.started = False
    app.state.skeleton = skeleton
    app.state.readiness_checks = {}
    install_error_handlers(app)
    document_error_responses(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.body_limits.max_bytes)
    app.add_middleware(HttpMetricsMiddleware, service=name)
    app.add_middleware(ReceivedAtMiddleware)  # outermost (see warden_common.requestmetrics.received)
    app.include_router(health_router())
    for router in routers:
        app.include_router(router, responses=COMMON_ERROR_RESPONSES)
    return app


def app_state(request: Request, attribute: str, what: str, *, unavailable: str | None = None) -> Any:
    """`request.app.state.<attribute>`, which the service's setup puts there while it runs. Before (starting),
    after (stopping), or when the setup could not open it: `ServiceUnavailable` (503) saying `what` is not
    available, or the `unavailable` message when one is given (e.g. naming the setting that is missing)."""
    value = getattr(request.app.state, attribute, None)
    if value is None:
        service = getattr(request.app.state, "service_name", "this")
        raise ServiceUnavailable(unavailable or f"the {service} service is starting: {what} not available yet")
    return value


def state_dependency(
    kind: type[T], attribute: str, what: str, *, unavailable: str | None = None
) -> Callable[[Request], T]:
    """A FastAPI dependency giving `app_state(request, attribute, what)` as a `kind`, e.g.
    `Service = Annotated[MetadataService, Depends(state_dependency(MetadataService, "metadata", "the catalog"))]`."""

    def dependency(request: Request) -> T:
        return cast(T, app_state(request, attribute, what, unavailable=unavailable))

    dependency.__name__ = f"{attribute}_from_app_state"
    return dependency


def data_dir(configured: Path | None, platform: Platform, service: str, stack: ExitStack | AsyncExitStack) -> Path:
    """Where a service keeps working files: its DATA_DIR setting, else `$WARDEN_HOME/<service>` in standalone, else
    a temporary directory removed when `stack` closes."""
    if configured is not None:
        return configured.expanduser().resolve()
    if platform.home is not None:
        return platform.home / service
    return Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"warden-{service}-")))
