"""One error type for the whole platform and the single FastAPI handler that renders it.

The wire shape `{"code": ..., "message": ...}` is what the official seldon-deploy-sdk parses
(protocols.md §8); `details` carries field paths and other structured hints for people.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)


class WardenError(Exception):
    """Base error: carries the HTTP status a route should answer with and a stable code."""

    status_code: int = 500
    code: str = "internal_error"

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: str | None = None,
        details: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code
        if code is not None:
            self.code = code
        self.details = details

    def to_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.status_code, "reason": self.code, "message": self.message}
        if self.details is not None:
            body["details"] = self.details
        return body


class BadRequest(WardenError):
    status_code = 400
    code = "bad_request"


class NotFound(WardenError):
    status_code = 404
    code = "not_found"


class Conflict(WardenError):
    status_code = 409
    code = "conflict"


class Unauthorized(WardenError):
    """No credentials, or wrong ones: `challenges` are the `WWW-Authenticate` values (RFC 9110 11.6.1: a 401
    must name at least one)."""

    status_code = 401
    code = "unauthorized"

    def __init__(self, message: str, challenges: tuple[str, ...], *, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.challenges = challenges


class PayloadTooLarge(WardenError):
    status_code = 413
    code = "payload_too_large"

    @classmethod
    def over_limit(cls, limit: int | None) -> PayloadTooLarge:
        if limit is None:
            return cls("the request body is too large")
        return cls(f"the request body exceeds the limit of {limit} bytes", details={"maxBytes": limit})


class UnsupportedMediaType(WardenError):
    status_code = 415
    code = "unsupported_media_type"


class Unprocessable(WardenError):
    status_code = 422
    code = "unprocessable"


class ServiceUnavailable(WardenError):
    status_code = 503
    code = "unavailable"


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": ".".join(str(p) for p in err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type")}
        for err in exc.errors()
    ]


def unprocessable(exc: RequestValidationError) -> Unprocessable:
    """A request FastAPI could not validate, as Warden's 422 naming each place (`path.name: must ...`)."""
    details = _validation_details(exc)
    where = "; ".join(f"{d['loc']}: {d['msg']}" for d in details)
    return Unprocessable(f"invalid request: {where}", details=details)


def install_error_handlers(app: FastAPI) -> None:
    """Render every error as `{"code", "reason", "message", "details"?}`; never leak a traceback."""

    @app.exception_handler(WardenError)
    async def _warden_error(_: Request, exc: WardenError) -> JSONResponse:
        response = JSONResponse(exc.to_body(), status_code=exc.status_code)
        for challenge in exc.challenges if isinstance(exc, Unauthorized) else ():
            response.headers.append("WWW-Authenticate", challenge)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        err = unprocessable(exc)
        return JSONResponse(err.to_body(), status_code=err.status_code)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        err = WardenError(str(exc.detail), status_code=exc.status_code, code="http_error")
        if exc.status_code == 413:  # the body size limit (`warden_common.bodies.BodyLimitMiddleware`)
            err = PayloadTooLarge.over_limit(getattr(exc, "limit", None))
        elif isinstance(exc.__cause__, RecursionError):  # FastAPI's JSON parse of a model body gave up
            err = Unprocessable("the request body nests arrays/objects too deeply to parse", code="body_too_deep")
        return JSONResponse(err.to_body(), status_code=err.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        err = WardenError(f"internal error: {type(exc).__name__}")
        return JSONResponse(err.to_body(), status_code=500)
