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
}
"""Public path templates (one deployment's sub-resource) -> the owning service and the deployment kind (whose
naming rule `{name}` obeys)."""

EXPLAIN_SUBPATHS = ("/explainer", "/explain", "/explanations", "/explanations/{explanation_id}")
"""A deployment's explainer and explanations (detectors service), for both kinds: every method goes through (the
detectors service answers 405 for one it does not serve)."""
_PLURALS = {"seldondeployments": "SeldonDeployment", "inferenceservices": "InferenceService"}

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


def _explain_forwarder(template: str, kind: str):  # type: ignore[no-untyped-def]
    async def forward(request: Request, namespace: NamespaceName, name: str) -> Response:
        upstreams: Upstreams = request.app.state.upstreams
        values = {**request.path_params, "namespace": namespace, "name": name}  # + explanation_id, where it is one
        path = build_path(SERVICE_API_PREFIX + template, **values)
        return await upstreams.forward(request, "detectors", path)

    forward.__name__ = f"forward_detectors_{template.strip('/').replace('/', '_').replace('{', '').replace('}', '')}"
    return with_param_types(forward, name=DEPLOYMENT_NAMES[kind])


def forwarded_router() -> APIRouter:
    router = APIRouter(prefix=PUBLIC_API_PREFIX, tags=["forwarded"])
    for template, (service, kind) in FORWARDED_PATHS.items():
        endpoint = _path_forwarder(service, template, kind)
        router.add_api_route(template, endpoint, methods=["GET"], include_in_schema=False)
    for plural, kind in _PLURALS.items():
        for subpath in EXPLAIN_SUBPATHS:
            template = f"/namespaces/{{namespace}}/{plural}/{{name}}{subpath}"
            endpoint = _explain_forwarder(template, kind)
            router.add_api_route(template, endpoint, methods=_METHODS, include_in_schema=False)
    for prefix, service in FORWARDED.items():
        endpoint = _forwarder(service, prefix)
        router.add_api_route(prefix, endpoint, methods=_METHODS, include_in_schema=False)
        router.add_api_route(prefix + "{rest:path}", endpoint, methods=_METHODS, include_in_schema=False)
    return router
