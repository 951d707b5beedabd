"""Parts of the public API that other services own: the gateway forwards them (auth will sit in front).

`/seldon-deploy/api/v1alpha1/<path>` goes to the owning service's `/api/v1alpha1/<path>`: rebuilt from what the
route matched (names checked at the door, every segment percent-encoded again), never the raw path as sent.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

from fastapi import APIRouter, Request, Response

from warden_common.names import (
    DEPLOYMENT_NAMES,
    BatchJobName,
    DetectorName,
    ExplanationId,
    NamespaceName,
    with_param_types,
)
from warden_common.upstreams import SERVICE_API_PREFIX, Upstreams
from warden_common.urls import build_path, encode_subpath

PUBLIC_API_PREFIX = "/seldon-deploy/api/v1alpha1"

FORWARDED: dict[str, str] = {
    "/model/metadata": "metadata",
    "/requests": "request-logger",
}
"""Public path prefix -> the service that owns every path under it."""

_DETECTOR_SEGMENTS = ("outlier-detector", "drift-detector", "metrics-server")
_PLURALS = {"seldondeployments": "SeldonDeployment", "inferenceservices": "InferenceService"}


@dataclass(frozen=True)
class ForwardedPath:
    """One deployment sub-resource another service owns: who, the deployment kind (whose naming rule `{name}`
    obeys) and the methods forwarded."""

    service: str
    kind: str
    methods: tuple[str, ...] = ("GET",)


def _detector_paths() -> dict[str, ForwardedPath]:
    """The detector configs of every deployment (seldon-deploy-sdk's detector APIs): the detectors service's."""
    paths = {}
    for plural, kind in _PLURALS.items():
        for segment in _DETECTOR_SEGMENTS:
            collection = f"/namespaces/{{namespace}}/{plural}/{{name}}/monitor/{segment}"
            paths[collection] = ForwardedPath("detectors", kind, ("GET", "POST"))
            paths[collection + "/{detectorName}"] = ForwardedPath("detectors", kind, ("GET", "DELETE"))
        monitor = f"/namespaces/{{namespace}}/{plural}/{{name}}/monitor"
        # Results of one detector: drift windows, metrics servers' counters and derived metrics.
        paths[monitor + "/drift-detector/{detectorName}/timeline"] = ForwardedPath("detectors", kind)
        paths[monitor + "/metrics-server/{detectorName}/metrics"] = ForwardedPath("detectors", kind)
    return paths


def _batch_job_paths() -> dict[str, ForwardedPath]:
    """Every deployment's batch jobs (seldon-deploy-sdk's `BatchJobsApi`, plus cancel): the batch service's."""
    paths = {}
    for plural, kind in _PLURALS.items():
        collection = f"/namespaces/{{namespace}}/{plural}/{{name}}/batchjobs"
        paths[collection] = ForwardedPath("batch", kind, ("GET", "POST"))
        paths[collection + "/{jobName}"] = ForwardedPath("batch", kind, ("GET", "DELETE"))
    return paths


FORWARDED_PATHS: dict[str, ForwardedPath] = {
    "/namespaces/{namespace}/seldondeployments/{name}/requests": ForwardedPath("request-logger", "SeldonDeployment"),
    "/namespaces/{namespace}/inferenceservices/{name}/requests": ForwardedPath("request-logger", "InferenceService"),
    **_detector_paths(),
    **_batch_job_paths(),
    **{
        f"/namespaces/{{namespace}}/{plural}/{{name}}/monitor/{query}": ForwardedPath("request-logger", kind, ("POST",))
        for plural, kind in _PLURALS.items()
        for query in ("featuredistributions", "featurestatistics")
    },
    **{
        f"/namespaces/{{namespace}}/{plural}/{{name}}/{audit}": ForwardedPath("gitops-sync", kind)
        for plural, kind in _PLURALS.items()
        for audit in ("gitlogs", "gitdiff")
    },
}
"""Public path templates (one deployment's sub-resource) -> where they are forwarded. Only exactly these paths:
other `/monitor/...` routes belong to other services."""

NAMESPACE_FORWARDED: dict[str, list[str]] = {
    "/namespaces/{namespace}/gitops-status": ["GET"],
    "/namespaces/{namespace}/gitops-sync": ["POST"],
}
"""Public path templates of one namespace's GitOps resources -> methods (owned by gitops-sync)."""

EXPLAIN_SUBPATHS = ("/explainer", "/explain", "/explanations", "/explanations/{explanation_id}")
"""A deployment's explainer and explanations (detectors service), for both kinds: every method goes through (the
detectors service answers 405 for one it does not serve)."""

_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def _forwarder(service: str, prefix: str):  # type: ignore[no-untyped-def]
    async def forward(request: Request, rest: str = "") -> Response:
        upstreams: Upstreams = request.app.state.upstreams
        return await upstreams.forward(request, service, SERVICE_API_PREFIX + prefix + encode_subpath(rest))

    forward.__name__ = f"forward_{service.replace('-', '_')}_{prefix.strip('/').replace('/', '_')}"
    return forward


_ITEM_NAMES = {"detectorName": DetectorName, "jobName": BatchJobName}
"""The typed name of one item of a deployment sub-resource (a detector, a batch job), by path parameter."""


def _path_forwarder(service: str, template: str, kind: str):  # type: ignore[no-untyped-def]
    items = {param: typed for param, typed in _ITEM_NAMES.items() if "{" + param + "}" in template}

    async def forward(request: Request, namespace: NamespaceName, name: str, **item: str) -> Response:
        upstreams: Upstreams = request.app.state.upstreams
        path = build_path(SERVICE_API_PREFIX + template, namespace=namespace, name=name, **item)
        return await upstreams.forward(request, service, path)

    # FastAPI reads the parameters from the signature: the item's name (if any) joins it, typed.
    signature = inspect.signature(forward)
    fixed = [p for p in signature.parameters.values() if p.kind is not inspect.Parameter.VAR_KEYWORD]
    named = [inspect.Parameter(p, inspect.Parameter.KEYWORD_ONLY, annotation=t) for p, t in items.items()]
    forward.__signature__ = signature.replace(parameters=[*fixed, *named])  # type: ignore[attr-defined]
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


def _explain_forwarder(template: str, kind: str):  # type: ignore[no-untyped-def]
    async def forward(request: Request, namespace: NamespaceName, name: str) -> Response:
        upstreams: Upstreams = request.app.state.upstreams
        path = build_path(SERVICE_API_PREFIX + template, namespace=namespace, name=name)
        return await upstreams.forward(request, "detectors", path)

    async def forward_explanation(
        request: Request, namespace: NamespaceName, name: str, explanation_id: ExplanationId
    ) -> Response:
        upstreams: Upstreams = request.app.state.upstreams
        values = {"namespace": namespace, "name": name, "explanation_id": str(explanation_id)}
        return await upstreams.forward(request, "detectors", build_path(SERVICE_API_PREFIX + template, **values))

    endpoint = forward_explanation if "{explanation_id}" in template else forward
    endpoint.__name__ = f"forward_detectors_{template.strip('/').replace('/', '_').replace('{', '').replace('}', '')}"
    return with_param_types(endpoint, name=DEPLOYMENT_NAMES[kind])


def forwarded_router() -> APIRouter:
    router = APIRouter(prefix=PUBLIC_API_PREFIX, tags=["forwarded"])
    for template, target in FORWARDED_PATHS.items():
        endpoint = _path_forwarder(target.service, template, target.kind)
        router.add_api_route(template, endpoint, methods=list(target.methods), include_in_schema=False)
    for template, methods in NAMESPACE_FORWARDED.items():
        router.add_api_route(template, _namespace_forwarder(template), methods=methods, include_in_schema=False)
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
