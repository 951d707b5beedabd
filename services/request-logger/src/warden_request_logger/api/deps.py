"""Route dependencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from warden_common.auth.ingest import INGEST_CHALLENGES, ingest_token_matches
from warden_common.errors import Unauthorized
from warden_common.service_app import app_state
from warden_request_logger.service import RequestLoggerService
from warden_request_logger.settings import RequestLoggerSettings


def _service(request: Request) -> RequestLoggerService:
    service: RequestLoggerService = app_state(
        request, "logger_service", "the request log is", unavailable="the request logger is not started"
    )
    return service


def _settings(request: Request) -> RequestLoggerSettings:
    settings: RequestLoggerSettings = request.app.state.settings
    return settings


LoggerService = Annotated[RequestLoggerService, Depends(_service)]
Settings = Annotated[RequestLoggerSettings, Depends(_settings)]


def check_ingest_caller(request: Request, settings: Settings) -> None:
    """With `ingest_token` set, only callers presenting it may post events (Bearer, or HTTP Basic's password)."""
    expected = settings.ingest_token
    if expected is not None and not ingest_token_matches(request.headers.get("authorization"), expected):
        raise Unauthorized(
            "posting events needs the request logger's ingest token (WARDEN_LOGGER_INGEST_TOKEN), as "
            "'Authorization: Bearer <token>' or as the HTTP Basic password: a logger URL "
            "http://warden:<token>@<host>:<port>/",
            INGEST_CHALLENGES,
        )
