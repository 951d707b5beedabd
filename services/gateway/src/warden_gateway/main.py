"""Entry point of the gateway service: `create_app` is what `warden serve gateway` and `warden up` run."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from warden_common.platform import Platform
from warden_common.service_app import create_service_app
from warden_common.upstreams import open_upstreams
from warden_gateway.api.routes.dataplane import data_plane_router
from warden_gateway.api.routes.deployments import deployments_router
from warden_gateway.api.routes.forwarded import forwarded_router
from warden_gateway.api.routes.namespaces import namespaces_router
from warden_gateway.api.routes.predict import predict_router
from warden_gateway.api.routes.rollouts import rollouts_router
from warden_gateway.authz.api import authorization_router
from warden_gateway.authz.middleware import AuthMiddleware
from warden_gateway.authz.runtime import AuthRuntime
from warden_gateway.control import open_control_plane
from warden_gateway.dataplane import SERVING, DataPlaneForwarder
from warden_gateway.identity.routes import identity_router
from warden_gateway.settings import GatewaySettings


def create_app(settings: GatewaySettings | None = None, platform: Platform | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    auth = AuthRuntime(settings.auth, issuer_url=f"http://{settings.host}:{settings.port}")

    @asynccontextmanager
    async def setup(app: FastAPI, active: Platform) -> AsyncIterator[None]:
        async with (
            open_upstreams(settings, active) as upstreams,
            open_control_plane(app, settings, active),
            auth.open(active, upstreams),
        ):
            app.state.upstreams = upstreams
            app.state.data_plane = _data_plane_forwarder(settings)
            try:
                yield
            finally:
                app.state.data_plane.close()

    app = create_service_app(
        "gateway",
        settings=settings,
        platform=platform,
        routers=[
            namespaces_router(),
            deployments_router(),
            rollouts_router(),
            predict_router(),
            forwarded_router(),
            data_plane_router(),
            identity_router(auth),
            authorization_router(auth),
        ],
        setup=setup,
        docs_url="/seldon-deploy/swagger/",
        openapi_url="/seldon-deploy/api/v1alpha1/openapi.json",
    )
    app.state.auth = auth  # standalone's root app enforces with the same runtime (composition.py)
    app.add_middleware(AuthMiddleware, runtime=auth)
    return app


def _data_plane_forwarder(settings: GatewaySettings) -> DataPlaneForwarder:
    """Relays `/seldon/...` to the serving service (distributed mode; standalone mounts serving there instead)."""
    env_var = f"{settings.model_config.get('env_prefix', 'WARDEN_GATEWAY_')}UPSTREAMS__{SERVING.upper()}"
    return DataPlaneForwarder(
        settings.upstreams.get(SERVING), env_var, settings.upstream_timeout_s, settings.data_plane_max_body_bytes
    )
