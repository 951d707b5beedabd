"""Entry point of the gateway service: `create_app` is what `warden serve gateway` and `warden up` run."""

from fastapi import FastAPI
from warden_common.platform import Platform
from warden_common.service_app import create_service_app

from warden_gateway.settings import GatewaySettings


def create_app(settings: GatewaySettings | None = None, platform: Platform | None = None) -> FastAPI:
    return create_service_app("gateway", settings=settings or GatewaySettings(), platform=platform)
