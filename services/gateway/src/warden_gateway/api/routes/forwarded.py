"""Parts of the public API that other services own: the gateway forwards them (auth will sit in front).

`/seldon-deploy/api/v1alpha1/<path>` goes to the owning service's `/api/v1alpha1/<path>` unchanged.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from warden_common.upstreams import SERVICE_API_PREFIX, Upstreams

PUBLIC_API_PREFIX = "/seldon-deploy/api/v1alpha1"

FORWARDED: dict[str, str] = {
    "/model/metadata": "metadata",
}
"""Public path prefix -> the service that owns every path under it."""

_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def _forwarder(service: str, prefix: str):  # type: ignore[no-untyped-def]
    async def forward(request: Request, rest: str = "") -> Response:
        upstreams: Upstreams = request.app.state.upstreams
        return await upstreams.forward(request, service, f"{SERVICE_API_PREFIX}{prefix}{rest}")

    forward.__name__ = f"forward_{service.replace('-', '_')}_{prefix.strip('/').replace('/', '_')}"
    return forward


def forwarded_router() -> APIRouter:
    router = APIRouter(prefix=PUBLIC_API_PREFIX, tags=["forwarded"])
    for prefix, service in FORWARDED.items():
        endpoint = _forwarder(service, prefix)
        router.add_api_route(prefix, endpoint, methods=_METHODS, include_in_schema=False)
        router.add_api_route(prefix + "{rest:path}", endpoint, methods=_METHODS, include_in_schema=False)
    return router
