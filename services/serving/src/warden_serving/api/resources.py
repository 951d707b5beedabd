"""`GET /api/v1alpha1/namespaces/{ns}/{seldondeployments|inferenceservices}/{name}/resources` (the gateway forwards
the public `{base}/resources` here, query included) and `GET /api/v1alpha1/runtime/deployments`.

The default answer is Seldon Deploy's `list[Component]` (what the official SDK parses); `?view=processes` is the
runtime's own view: processes, ports, state, restarts and recent log lines of every replica.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request

from warden_common.api_docs import INTERNAL_ONLY, Responses, error_responses, json_response
from warden_common.errors import NotFound
from warden_common.names import InferenceServiceName, NamespaceName, SeldonDeploymentName
from warden_serving.api.components import components

router = APIRouter(prefix="/api/v1alpha1", tags=["runtime"])

_COMPONENTS = json_response(
    {
        "oneOf": [
            {"type": "array", "items": {"type": "object"}, "description": "list[Component] (default view)"},
            {"type": "object", "description": "the processes view: every replica's process, port, state, logs"},
        ]
    },
    [{"name": "default", "deployments": {"kind": "DeploymentList", "items": []},
      "pods": {"kind": "PodList", "items": []}, "services": {"kind": "ServiceList", "items": []}}],
    "The deployment's components per predictor, or with `?view=processes` its MLServer processes",
)  # fmt: skip


_SUMMARY = "The deployment's running resources (SDK `list[Component]`, or `?view=processes`)"
_RESOURCES: Responses = {200: _COMPONENTS, **error_responses(404)}
View = Literal["components", "processes"]


@router.get("/namespaces/{namespace}/seldondeployments/{name}/resources", summary=_SUMMARY, responses=_RESOURCES)
async def seldon_deployment_resources(
    request: Request, namespace: NamespaceName, name: SeldonDeploymentName, view: View = "components"
) -> Any:
    return _resources(request, namespace, name, view)


@router.get("/namespaces/{namespace}/inferenceservices/{name}/resources", summary=_SUMMARY, responses=_RESOURCES)
async def inference_service_resources(
    request: Request, namespace: NamespaceName, name: InferenceServiceName, view: View = "components"
) -> Any:
    return _resources(request, namespace, name, view)


def _resources(request: Request, namespace: str, name: str, view: View) -> Any:
    found: dict[str, Any] | None = request.app.state.runtime.resources(namespace, name)
    if found is None:
        raise NotFound(f"deployment {namespace}/{name} has no running resources", code="deployment_not_found")
    return found if view == "processes" else components(found)


@router.get("/runtime/deployments", openapi_extra=INTERNAL_ONLY)
async def runtime_deployments(request: Request) -> dict[str, Any]:
    return {"deployments": request.app.state.runtime.overview()}
