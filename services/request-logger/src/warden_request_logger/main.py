"""Entry point of the request-logger service: `create_app` is what `warden serve request-logger` and `warden up` run."""

from fastapi import FastAPI

from warden_common.platform import Platform
from warden_common.service_app import create_service_app
from warden_request_logger.settings import RequestLoggerSettings


def create_app(settings: RequestLoggerSettings | None = None, platform: Platform | None = None) -> FastAPI:
    return create_service_app("request-logger", settings=settings or RequestLoggerSettings(), platform=platform)
