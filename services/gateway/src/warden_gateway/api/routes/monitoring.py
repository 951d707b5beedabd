"""`GET {base}/monitor/requests`: request rate, success vs failure by status code and latency percentiles per
predictor of one deployment, over a time range in steps; the same answer in both modes.

Distributed: PromQL over the Prometheus that scrapes the data plane (`WARDEN_GATEWAY_MONITORING__PROMETHEUS_URL`).
Standalone: the 10-second rollups the data plane writes to the database (no Prometheus runs there).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any, Literal

import asyncpg
import httpx
from fastapi import APIRouter, FastAPI, Query, Request

from warden_common.api_docs import error_responses
from warden_common.db import open_pool, prepare_schema
from warden_common.errors import ServiceUnavailable
from warden_common.names import DEPLOYMENT_NAMES, NamespaceName, with_param_types
from warden_common.platform import Platform
from warden_common.requestmetrics import postgres as rollup_store
from warden_common.requestmetrics import prometheus
from warden_common.requestmetrics.query import (
    MAX_POINTS,
    MAX_STEP_S,
    MIN_STEP_S,
    RequestMetricsPublic,
    RequestQuery,
    build_query,
)
from warden_gateway.api.routes.forwarded import PUBLIC_API_PREFIX
from warden_gateway.deployments.kinds import KINDS, DeploymentKind
from warden_gateway.settings import GatewaySettings

Start = Annotated[
    datetime | None,
    Query(description="Start of the range (RFC 3339, or unix seconds); default 30 minutes before `end`."),
]
End = Annotated[datetime | None, Query(description="End of the range (RFC 3339, or unix seconds); default now.")]
Step = Annotated[
    int | None,
    Query(
        description=f"Window length in seconds, {MIN_STEP_S}..{MAX_STEP_S}, at most {MAX_POINTS} windows in the range; "
        "default: about 120 windows, a multiple of 10 s."
    ),
]
ServiceParam = Annotated[
    Literal["predictions", "feedback"], Query(description="Which calls: predictions (default) or feedback.")
]


class RequestMetricsSource:
    """Prometheus or the database, chosen once at start."""

    def __init__(self, *, prometheus_url: str | None = None, pool: asyncpg.Pool | None = None) -> None:
        self._prometheus_url = prometheus_url
        self._pool = pool
        self._client = httpx.AsyncClient(timeout=30.0, trust_env=False) if prometheus_url else None

    async def query(self, q: RequestQuery) -> RequestMetricsPublic:
        if self._client is not None and self._prometheus_url is not None:
            return await prometheus.query(self._client, self._prometheus_url, q)
        if self._pool is not None:
            return await rollup_store.query(self._pool, q)
        raise ServiceUnavailable(
            "request monitoring has no source: set WARDEN_GATEWAY_MONITORING__PROMETHEUS_URL (the Prometheus that "
            "scrapes the serving service), or WARDEN_GATEWAY_MONITORING__SOURCE=postgres with the database the "
            "serving service writes its request rollups to (WARDEN_SERVING_REQUEST_METRICS_STORE=postgres)",
            code="metrics_unavailable",
        )

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()


@asynccontextmanager
async def open_request_metrics(app: FastAPI, settings: GatewaySettings, platform: Platform) -> AsyncIterator[None]:
    """Set `app.state.request_metrics` for the lifetime of the app."""
    wanted = settings.monitoring.source
    url = settings.monitoring.prometheus_url
    if wanted == "prometheus" or (wanted == "auto" and url):
        if not url:
            raise ServiceUnavailable("WARDEN_GATEWAY_MONITORING__SOURCE=prometheus needs ..._PROMETHEUS_URL")
        source = RequestMetricsSource(prometheus_url=url)
        app.state.request_metrics = source
        try:
            yield
        finally:
            await source.close()
        return
    dsn = platform.database_dsn
    if dsn is None or (wanted == "auto" and platform.mode == "distributed"):
        # Distributed without Prometheus: the serving service writes no rollups unless told to (then say
        # WARDEN_GATEWAY_MONITORING__SOURCE=postgres here); answering zeros would look like no traffic.
        app.state.request_metrics = RequestMetricsSource()  # answers 503 naming what to set
        yield
        return
    await prepare_schema(dsn, rollup_store.SERVICE, rollup_store.migrations(), migrate=True)
    async with open_pool(dsn, min_size=1, max_size=4, application_name="warden-gateway-monitoring") as pool:
        app.state.request_metrics = RequestMetricsSource(pool=pool)
        yield


def _endpoint(kind: DeploymentKind) -> Callable[..., Any]:
    async def endpoint(
        request: Request,
        namespace: NamespaceName,
        name: str,
        start: Start = None,
        end: End = None,
        step: Step = None,
        service: ServiceParam = "predictions",
    ) -> RequestMetricsPublic:
        query = build_query(namespace, name, start, end, step, service)
        source: RequestMetricsSource = request.app.state.request_metrics
        return await source.query(query)

    endpoint.__name__ = f"request_metrics_{kind.plural}"
    return with_param_types(endpoint, name=DEPLOYMENT_NAMES[kind.kind])


def monitoring_router() -> APIRouter:
    router = APIRouter(prefix=PUBLIC_API_PREFIX)
    for kind in KINDS.values():
        router.add_api_route(
            f"/namespaces/{{namespace}}/{kind.plural}/{{name}}/monitor/requests",
            _endpoint(kind),
            methods=["GET"],
            tags=[f"{kind.plural} monitoring"],
            summary="Request rate, success vs failure and latency percentiles per predictor over a time range",
            name=f"request_metrics_{kind.plural}",
            operation_id=f"request_metrics_{kind.plural}",
            response_model=RequestMetricsPublic,
            responses=error_responses(503),
        )
    return router
