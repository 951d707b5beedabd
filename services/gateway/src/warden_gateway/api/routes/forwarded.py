"""Parts of the public API that other services own: the gateway forwards them (auth will sit in front).

`/seldon-deploy/api/v1alpha1/<path>` goes to the owning service's `/api/v1alpha1/<path>`: rebuilt from what the
route matched (names checked at the door, every segment percent-encoded again), never the raw path as sent.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from warden_common.names import DEPLOYMENT_NAMES, NamespaceName, with_param_types
from warden_common.upstreams import SERVICE_API_PREFIX, Upstreams
from warden_common.urls import build_path, encode_subpath

PUBLIC_API_PREFIX = "/seldon-deploy/api/v1alpha1"

FORWARDED: dict[str, str] = {
    "/model/metadata": "metadata",
    "/requests": "request-logger",
}
"""Public path prefix -> the service that owns every path under it."""

FORWARDED_PATHS: dict[str, tuple[str, str]] = {
    "/namespaces/{namespace}/seldondeployments/{name}/requests": ("request-logger", "SeldonDeployment"),
    "/namespaces/{namespace}/inferenceservices/{name}/requests": ("request-logger", "InferenceService"),
    "/namespaces/{namespace}/seldondeployments/{name}/gitlogs": ("gitops-sync", "SeldonDeployment"),
    "/namespaces/{namespace}/inferenceservices/{name}/gitlogs": ("gitops-sync", "InferenceService"),
    "/namespaces/{namespace}/seldondeployments/{name}/gitdiff": ("gitops-sync", "SeldonDeployment"),
    "/namespaces/{namespace}/inferenceservices/{name}/gitdiff": ("gitops-sync", "InferenceService"),
}
"""Public path templates (one deployment's sub-resource) -> the owning service and the deployment kind (whose
naming rule `{name}` obeys)."""

NAMESPACE_FORWARDED: dict[str, list[str]] = {
    "/namespaces/{namespace}/gitops-status": ["GET"],
    "/namespaces/{namespace}/gitops-sync": ["POST"],
}
"""Public path templates of one namespace's GitOps resources -> methods (owned by gitops-sync)."""

_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def _forwarder(service: str, prefix: str):  # type: ignore[no-untyped-def]
    async def forward(request: Request, rest: str = "") -> Response:
        upstreams: Upstreams = request.app.state.upstreams
        return await upstreams.forward(request, service, SERVICE_API_PREFIX + prefix + encode_subpath(rest))

    forward.__name__ = f"forward_{service.replace('-', '_')}_{prefix.strip('/').replace('/', '_')}"
    return forward


def _path_forwarder(service: str, template: str, kind: str):  # type: ignore[no-untyped-def]
    async def forward(request: Request, namespace: NamespaceName, name: str) -> Response:
        upstreams: Upstreams = request.app.state.upstreams
        path = build_path(SERVICE_API_PREFIX + template, namespace=namespace, name=name)
        return await upstreams.forward(request, service, path)

    forward.__name__ = f"forward_{service.replace('-', '_')}_{template.strip('/').replace('/', '_')}"
    return with_param_types(forward, name=DEPLOYMENT_NAMES[kind])


def _namespace_forwarder(template: str):  # type: ignore[no-untyped-def]
    async def forward(request: Request, namespace: NamespaceName) -> Response:
        upstreams: Upstreams = request.app.state.upstreams
        return await upstreams.forward(
            request, "gitops-sync", build_path(SERVICE_API_PREFIX + template, namespace=namespace)
        )

    forward.__name__ = f"forward_gitops_sync_{template.rsplit('/', 1)[-1].replace('-', '_')}"
    return forward


def forwarded_router() -> APIRouter:
    router = APIRouter(prefix=PUBLIC_API_PREFIX, tags=["forwarded"])
    for template, (service, kind) in FORWARDED_PATHS.items():
        endpoint = _path_forwarder(service, template, kind)
        router.add_api_route(template, endpoint, methods=["GET"], include_in_schema=False)
    for template, methods in NAMESPACE_FORWARDED.items():
        router.add_api_route(template, _namespace_forwarder(template), methods=methods, include_in_schema=False)
    for prefix, service in FORWARDED.items():
        endpoint = _forwarder(service, prefix)
        router.add_api_route(prefix, endpoint, methods=_METHODS, include_in_schema=False)
        router.add_api_route(prefix + "{rest:path}", endpoint, methods=_METHODS, include_in_schema=False)
    return router
