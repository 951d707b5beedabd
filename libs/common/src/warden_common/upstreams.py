"""Calls from one service to another (the gateway forwarding its API, the logger asking metadata, ...).

Each part of the public API is owned by one service, which serves it under `/api/v1alpha1/...`. In standalone
a service reaches another's app in-process (httpx's ASGI transport, no network hop); in distributed mode over
HTTP at the base URL in `ServiceSettings.upstreams`. The caller's code is the same either way.

Paths are built with `warden_common.urls.build_path` (user values percent-encoded); `forward` and `send` refuse a
path that would leave its route (`UnsafePath`, a 400) before anything is sent.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
from fastapi import Request, Response

from warden_common.errors import ServiceUnavailable
from warden_common.platform import Platform
from warden_common.settings import ServiceSettings
from warden_common.urls import check_path

logger = logging.getLogger(__name__)

SERVICE_API_PREFIX = "/api/v1alpha1"
"""Where every service serves its part of the public API."""

PUBLIC_API_PREFIX = "/seldon-deploy/api/v1alpha1"
"""Where the gateway serves the public API (its own parts, e.g. deployments, and the ones it forwards; the
gateway's routes are declared under the same prefix in `warden_gateway.api.routes.forwarded`)."""

# Hop-by-hop headers (RFC 9110 §7.6.1) and ones httpx recomputes; never copied across the proxy.
_DROPPED_HEADERS = frozenset(
    {"host", "content-length", "connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade"}
)


def _env_key(service: str) -> str:
    return service.replace("-", "_")


class Upstreams:
    """One HTTP client per service this service calls."""

    def __init__(self, clients: dict[str, httpx.AsyncClient], env_prefix: str = "WARDEN_") -> None:
        self._clients = clients
        self._env_prefix = env_prefix

    def configured(self, service: str) -> bool:
        """True if `service` can be called (co-located in standalone, or its URL set)."""
        return service in self._clients

    def client(self, service: str) -> httpx.AsyncClient:
        try:
            return self._clients[service]
        except KeyError:
            raise ServiceUnavailable(
                f"the {service} service is not configured: set {self._env_prefix}UPSTREAMS__{_env_key(service).upper()}"
            ) from None

    async def send(self, service: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One call to `service` (httpx `request` keyword arguments; queries as `params=`); `UnsafePath` for a
        path that would leave its route, `ServiceUnavailable` when the service cannot be reached."""
        check_path(path)
        client = self.client(service)
        try:
            return await client.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise ServiceUnavailable(f"the {service} service cannot be reached: {exc!r}") from exc

    async def forward(self, request: Request, service: str, path: str) -> Response:
        """Send `request` on to `service` at `path` (+ the original query) and relay its answer unchanged."""
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in _DROPPED_HEADERS]
        answer = await self.send(  # `send` refuses a path that would leave its route
            service, request.method, path, params=request.url.query, headers=headers, content=await request.body()
        )
        relayed = {k: v for k, v in answer.headers.items() if k.lower() not in _DROPPED_HEADERS | {"content-encoding"}}
        return Response(content=answer.content, status_code=answer.status_code, headers=relayed)


@asynccontextmanager
async def open_upstreams(settings: ServiceSettings, platform: Platform) -> AsyncIterator[Upstreams]:
    """Clients for every co-located service (standalone) and every configured upstream URL."""
    async with AsyncExitStack() as stack:
        clients: dict[str, httpx.AsyncClient] = {}
        timeout = httpx.Timeout(settings.upstream_timeout_s)
        for service, app in platform.local_apps.items():
            transport = httpx.ASGITransport(app=app)
            client = httpx.AsyncClient(transport=transport, base_url=f"http://{service}", timeout=timeout)
            clients[service] = await stack.enter_async_context(client)
        for key, url in settings.upstreams.items():
            service = key.replace("_", "-")
            if service not in clients:
                client = httpx.AsyncClient(base_url=str(url).rstrip("/"), timeout=timeout)
                clients[service] = await stack.enter_async_context(client)
        logger.debug("upstream clients", extra={"services": sorted(clients)})
        yield Upstreams(clients, str(settings.model_config.get("env_prefix", "WARDEN_")))
