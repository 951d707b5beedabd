"""Parts of the public API that other services own: the gateway forwards them (auth will sit in front).

`/seldon-deploy/api/v1alpha1/<path>` goes to the owning service's `/api/v1alpha1/<path>` unchanged.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from warden_common.upstreams import SERVICE_API_PREFIX, Upstreams

PUBLIC_API_PREFIX = "/seldon-deploy/api/v1alpha1"

FORWARDED: dict[str, str] = {
    "/model/metadata": "metadata",
    "/requests": "request-logger",
}
"""Public path prefix -> the service that owns every path under it."""

FORWARDED_PATHS: dict[str, str] = {
    "/namespaces/{namespace}/seldondeployments/{name}/requests": "request-logger",
    "/namespaces/{namespace}/inferenceservices/{name}/requests": "request-logger",
}
"""Public path templates (one deployment's sub-resource) -> the owning service; forwarded with the path as sent."""

_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def _forwarder(service: str, prefix: str):  # type: ignore[no-untyped-def]
    async def forward(request: Request, rest: str = "") -> Response:
        upstreams: Upstreams = request.app.state.upstreams
        return await upstreams.forward(request, service, f"{SERVICE_API_PREFIX}{prefix}{rest}")

    forward.__name__ = f"forward_{service.replace('-', '_')}_{prefix.strip('/').replace('/', '_')}"
    return forward


def _path_forwarder(service: str, template: str):  # type: ignore[no-untyped-def]
    async def forward(request: Request) -> Response:
        upstreams: Upstreams = request.app.state.upstreams
        path = request.url.path.removeprefix(request.scope.get("root_path", "")).removeprefix(PUBLIC_API_PREFIX)
        return await upstreams.forward(request, service, f"{SERVICE_API_PREFIX}{path}")

    forward.__name__ = f"forward_{service.replace('-', '_')}_{template.strip('/').replace('/', '_')}"
    return forward


def forwarded_router() -> APIRouter:
    router = APIRouter(prefix=PUBLIC_API_PREFIX, tags=["forwarded"])
    for template, service in FORWARDED_PATHS.items():
        router.add_api_route(template, _path_forwarder(service, template), methods=["GET"], include_in_schema=False)
    for prefix, service in FORWARDED.items():
        endpoint = _forwarder(service, prefix)
        router.add_api_route(prefix, endpoint, methods=_METHODS, include_in_schema=False)
        router.add_api_route(prefix + "{rest:path}", endpoint, methods=_METHODS, include_in_schema=False)
    return router
