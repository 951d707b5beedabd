"""Entry point of the gateway service: `create_app` is what `warden serve gateway` and `warden up` run."""

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager

from fastapi import FastAPI

from warden_common.platform import Platform
from warden_common.service_app import create_service_app
from warden_common.upstreams import open_upstreams
from warden_gateway.api.openapi import OPENAPI_URL, public_openapi_factory
from warden_gateway.api.routes.dataplane import data_plane_router
from warden_gateway.api.routes.deployments import deployments_router
from warden_gateway.api.routes.forwarded import forwarded_router
from warden_gateway.api.routes.gitops import git_versions_router
from warden_gateway.api.routes.loadtests import load_tests_router
from warden_gateway.api.routes.monitoring import monitoring_router, open_request_metrics
from warden_gateway.api.routes.namespaces import namespaces_router
from warden_gateway.api.routes.predict import predict_router
from warden_gateway.api.routes.rollouts import rollouts_router
from warden_gateway.api.routes.usage import usage_router
from warden_gateway.api.swagger import install_swagger_ui
from warden_gateway.authz.api import authorization_router
from warden_gateway.authz.middleware import AuthMiddleware
from warden_gateway.authz.runtime import AuthRuntime
from warden_gateway.composition import GATEWAY, load_service_factory, service_names
from warden_gateway.control import open_control_plane
from warden_gateway.dataplane import SERVING, DataPlaneForwarder
from warden_gateway.identity.routes import identity_router
from warden_gateway.settings import GatewaySettings
from warden_gateway.ui import install_ui
from warden_gateway.uiconfig import ui_config_router


def create_app(settings: GatewaySettings | None = None, platform: Platform | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    if platform is None:  # distributed: nothing fills in what auth needs, so say what is missing before starting
        settings.check_distributed_auth()
    auth = AuthRuntime(settings.auth, issuer_url=f"http://{settings.host}:{settings.port}")

    @asynccontextmanager
    async def setup(app: FastAPI, active: Platform) -> AsyncIterator[None]:
        async with (
            open_upstreams(settings, active) as upstreams,
            open_control_plane(app, settings, active, upstreams),
            auth.open(active, upstreams),
            open_request_metrics(app, settings, active),
        ):
            app.state.upstreams = upstreams
            app.state.local_apps = active.local_apps  # co-located services (standalone): streams go to them directly
            app.state.data_plane = _data_plane_forwarder(settings)
            try:
                yield
            finally:
                app.state.data_plane.close()

    app = create_service_app(
        GATEWAY,
        settings=settings,
        platform=platform,
        routers=[
            namespaces_router(),
            deployments_router(),
            rollouts_router(),
            predict_router(),
            load_tests_router(),
            usage_router(),
            forwarded_router(),
            git_versions_router(),
            data_plane_router(),
            monitoring_router(),
            identity_router(auth, settings.ui.redirect_uris),
            ui_config_router(settings.ui, settings.auth, auth.issuer_url),
            authorization_router(auth),
        ],
        setup=setup,
        openapi_url=OPENAPI_URL,
    )
    mode = platform.mode if platform is not None else "distributed"
    app.openapi = public_openapi_factory(  # type: ignore[method-assign]
        app, _other_services(platform), mode=mode, service_urls=settings.upstreams
    )
    install_swagger_ui(app, openapi_url=OPENAPI_URL, title="Warden API - Swagger UI")
    install_ui(app)  # the web UI at `/` (its shell and assets need no token: authz.rules.is_ui_path)
    app.state.auth = auth  # standalone's root app enforces with the same runtime (composition.py)
    app.add_middleware(AuthMiddleware, runtime=auth)
    return app


def _other_services(platform: Platform | None) -> Callable[[], Mapping[str, FastAPI]]:
    """The apps whose public routes the gateway documents besides its own."""

    def apps() -> Mapping[str, FastAPI]:
        if platform is not None and platform.local_apps:
            return {name: app for name, app in platform.local_apps.items() if name != GATEWAY}
        # Distributed: every service's package is installed, and building its app starts nothing (no lifespan),
        # so its routes are read from the same declarations it serves them with.
        return {name: load_service_factory(name)() for name in service_names() if name != GATEWAY}

    return apps


def _data_plane_forwarder(settings: GatewaySettings) -> DataPlaneForwarder:
    """Relays `/seldon/...` to the serving service (distributed mode; standalone mounts serving there instead)."""
    env_var = f"{settings.model_config.get('env_prefix', 'WARDEN_GATEWAY_')}UPSTREAMS__{SERVING.upper()}"
    return DataPlaneForwarder(settings.upstreams.get(SERVING), env_var, settings.upstream_timeout_s)
