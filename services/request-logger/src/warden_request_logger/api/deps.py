"""Route dependencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from warden_common.errors import ServiceUnavailable
from warden_request_logger.service import RequestLoggerService
from warden_request_logger.settings import RequestLoggerSettings


def _service(request: Request) -> RequestLoggerService:
    service: RequestLoggerService | None = getattr(request.app.state, "logger_service", None)
    if service is None:
        raise ServiceUnavailable("the request logger is not started")
    return service


def _settings(request: Request) -> RequestLoggerSettings:
    settings: RequestLoggerSettings = request.app.state.settings
    return settings


LoggerService = Annotated[RequestLoggerService, Depends(_service)]
Settings = Annotated[RequestLoggerSettings, Depends(_settings)]
