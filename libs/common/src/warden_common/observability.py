"""Health and Prometheus metrics endpoints every service exposes: /health/live, /health/ready, /metrics."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from pydantic import BaseModel, Field
from starlette.types import ASGIApp, Receive, Scope, Send

logger = logging.getLogger(__name__)

ReadinessCheck = Callable[[], Awaitable[bool]]

HTTP_REQUESTS = Counter("warden_http_requests_total", "HTTP requests served", ["service", "method", "route", "status"])
HTTP_LATENCY = Histogram("warden_http_request_duration_seconds", "HTTP request latency", ["service", "method", "route"])

_READINESS_TIMEOUT_S = 2.0


def add_readiness_check(app: FastAPI, name: str, check: ReadinessCheck) -> None:
    """Register `check` for /health/ready; the service is ready when every check returns True."""
    app.state.readiness_checks[name] = check


async def _run_check(check: ReadinessCheck) -> bool:
    try:
        return await asyncio.wait_for(check(), timeout=_READINESS_TIMEOUT_S)
    except Exception:  # a failing dependency means "not ready", never a 500
        logger.warning("readiness check failed", exc_info=True)
        return False


async def readiness(app: FastAPI) -> tuple[bool, dict[str, bool]]:
    """Run `app`'s readiness checks; not ready while its lifespan has not finished starting."""
    state = app.state
    if not getattr(state, "started", False):
        return False, {"started": False}
    checks: dict[str, ReadinessCheck] = state.readiness_checks
    results = dict(zip(checks, await asyncio.gather(*(_run_check(c) for c in checks.values())), strict=True))
    return all(results.values()), results


class Liveness(BaseModel):
    status: str = Field(description="Always `alive` while the process answers")


class Readiness(BaseModel):
    status: str = Field(description="`ready` or `not ready`")
    checks: dict[str, bool] = Field(description="Each dependency the service needs, and whether it answers")
    skeleton: bool = Field(False, description="True for a service whose features are not built yet")
    note: str | None = Field(None, description="What a skeleton service does and does not do")


_NOT_READY: dict[int | str, dict[str, Any]] = {
    503: {"model": Readiness, "description": "Not ready: `checks` shows which dependency is not"}
}
SKELETON_NOTE = "skeleton service: it runs and connects to the bus, but none of its features is built yet"


def skeleton_note(app: FastAPI) -> dict[str, str | bool]:
    """What health answers add for a service whose features are not built yet (nothing for a built one)."""
    if getattr(app.state, "skeleton", False):
        return {"skeleton": True, "note": SKELETON_NOTE}
    return {}


def health_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/health/live")
    async def live() -> Liveness:
        return Liveness(status="alive")

    @router.get("/health/ready", response_model=Readiness, responses=_NOT_READY)
    async def ready(request: Request) -> JSONResponse:
        ok, results = await readiness(request.app)
        body = {"status": "ready" if ok else "not ready", "checks": results, **skeleton_note(request.app)}
        return JSONResponse(body, status_code=200 if ok else 503)

    @router.get("/metrics", response_class=PlainTextResponse)  # Prometheus text, documented as text/plain
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


class HttpMetricsMiddleware:
    """Counts requests and observes latency per route template (not per raw path, to bound cardinality)."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def send_wrapper(message: dict) -> None:  # type: ignore[type-arg]
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)  # type: ignore[arg-type]
        finally:
            route = scope.get("route")
            template = getattr(route, "path", "unmatched")
            method = scope.get("method", "")
            HTTP_REQUESTS.labels(self.service, method, template, str(status)).inc()
            HTTP_LATENCY.labels(self.service, method, template).observe(time.perf_counter() - started)
