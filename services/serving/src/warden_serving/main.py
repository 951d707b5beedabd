"""Entry point of the serving service: `create_app` is what `warden serve serving` and `warden up` run."""

from fastapi import FastAPI

from warden_common.platform import Platform
from warden_common.service_app import create_service_app
from warden_serving.settings import ServingSettings


def create_app(settings: ServingSettings | None = None, platform: Platform | None = None) -> FastAPI:
    return create_service_app("serving", settings=settings or ServingSettings(), platform=platform)
