"""`{base}/predict` proxies a prediction to the data plane; `{base}/predictcurl` says how to make it with curl, on
the public data plane at the gateway's own address (`/seldon/...` is served there in both modes: mounted in-process
in standalone, relayed to the serving service in distributed mode, see `warden_gateway.dataplane`);
`{base}/resources` is the serving service's and is forwarded to it: the SDK's `list[Component]` (deployments,
pods, services per predictor), or with `?view=processes` each MLServer process's port, state and recent log lines;
`{base}/resources/logs` (one process's output, `follow=true` streams it) is relayed as a stream (`logs_relay`).
"""

from __future__ import annotations

import json
import shlex
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from warden_common import bodies
from warden_common.api_docs import error_responses, json_body, json_response
from warden_common.names import DEPLOYMENT_NAMES, NamespaceName, with_param_types
from warden_common.upstreams import SERVICE_API_PREFIX, Upstreams
from warden_common.urls import build_path
from warden_gateway.api.deps import deployments
from warden_gateway.api.routes.forwarded import PUBLIC_API_PREFIX
from warden_gateway.api.routes.logs_relay import relay_logs
from warden_gateway.deployments.kinds import KINDS, DeploymentKind
from warden_gateway.deployments.service import DeploymentService

Deployments = Annotated[DeploymentService, Depends(deployments)]
SERVING = "serving"

# Relayed from the model's answer: the request id (Seldon-Puid) and what the body is.
_RELAYED_HEADERS = ("content-type", "seldon-puid")

_DATA_PLANE = "/seldon/{namespace}/{name}"

_PAYLOAD = json_body(
    {"type": "object", "description": "The prediction in the deployment's protocol (Seldon, V2 or Tensorflow)"},
    {"data": {"ndarray": [[5.1, 3.5, 1.4, 0.2]]}},
)
_ANSWER = json_response(
    {"type": "object", "description": "The model's answer, as the data plane gives it"},
    {"meta": {"puid": "6e2f0c3a-1c43-4f0e-9d7e-3b2b8c1a8d4e"}, "data": {"names": ["t:0", "t:1", "t:2"],
     "ndarray": [[0.9, 0.08, 0.02]]}},
)  # fmt: skip
_CURL = {
    "description": "A shell command",
    "content": {
        "application/json": {
            "schema": {"type": "string"},
            "example": "curl -s -X POST http://127.0.0.1:8080/seldon/seldon/iris/api/v1.0/predictions "
            "-H 'Content-Type: application/json' -H \"Authorization: Bearer $TOKEN\" "
            '-d \'{"data":{"ndarray":[[5.1,3.5,1.4,0.2]]}}\'',
        }
    },
}


def data_plane_path(obj: dict[str, Any], payload: Any, namespace: str, name: str) -> str:
    """Where the data plane serves `obj` for `payload`'s protocol: `/seldon/{ns}/{name}/...`, every name encoded."""
    spec = obj.get("spec") or {}
    where = {"namespace": namespace, "name": name}
    if obj.get("kind") == "InferenceService":
        predictor = spec.get("predictor") or {}
        versions = {(v or {}).get("protocolVersion") for v in predictor.values() if isinstance(v, dict)}
        model = str(obj["metadata"]["name"])
        if "v2" in versions or (isinstance(payload, dict) and "inputs" in payload):
            return build_path(_DATA_PLANE + "/v2/models/{model}/infer", **where, model=model)
        return build_path(_DATA_PLANE + "/v1/models/{model}:predict", **where, model=model)
    protocol = str(spec.get("protocol") or "seldon").lower()
    live = [p for p in spec.get("predictors") or [] if not p.get("shadow")]
    model = str(((live[0] if live else {}).get("graph") or {}).get("name", obj["metadata"]["name"]))
    if protocol == "tensorflow":
        return build_path(_DATA_PLANE + "/v1/models/{model}:predict", **where, model=model)
    if protocol in ("v2", "kfserving"):
        return build_path(_DATA_PLANE + "/v2/models/{model}/infer", **where, model=model)
    return build_path(_DATA_PLANE + "/api/v1.0/predictions", **where)


async def _payload(request: Request) -> tuple[bytes, Any]:
    raw = await bodies.read_body(request)
    return raw, bodies.parse_json(raw, bodies.limits_of(request), what="the prediction payload")


def _add_kind_routes(router: APIRouter, kind: DeploymentKind) -> None:
    base = f"/namespaces/{{namespace}}/{kind.plural}/{{name}}"
    tag: list[str | Enum] = [f"{kind.plural} predictions"]

    async def predict(namespace: NamespaceName, name: str, request: Request, service: Deployments) -> Response:
        obj = (await service.exists(kind, namespace, name)).to_object()
        raw, payload = await _payload(request)
        path = data_plane_path(obj, payload, namespace, name)
        headers = {"content-type": "application/json"}
        if puid := request.headers.get("seldon-puid"):
            headers["seldon-puid"] = puid
        upstreams: Upstreams = request.app.state.upstreams
        answer = await upstreams.send(SERVING, "POST", path, content=raw, headers=headers)
        relayed = {k: v for k, v in answer.headers.items() if k.lower() in _RELAYED_HEADERS}
        return Response(content=answer.content, status_code=answer.status_code, headers=relayed)

    async def predict_curl(namespace: NamespaceName, name: str, request: Request, service: Deployments) -> str:
        obj = (await service.exists(kind, namespace, name)).to_object()
        _, payload = await _payload(request)
        url = str(request.base_url).rstrip("/") + data_plane_path(obj, payload, namespace, name)
        body = json.dumps(payload, separators=(",", ":"))
        # With auth on the data plane wants a token too: a shell variable the person sets, never the caller's own
        # token (answers end up in logs and terminals' scrollback).
        auth = ' -H "Authorization: Bearer $TOKEN"' if request.app.state.auth.settings.enabled else ""
        command = f"curl -s -X POST {shlex.quote(url)} -H 'Content-Type: application/json'{auth}"
        return f"{command} -d {shlex.quote(body)}"

    async def resources(namespace: NamespaceName, name: str, request: Request) -> Response:
        upstreams: Upstreams = request.app.state.upstreams
        template = SERVICE_API_PREFIX + "/namespaces/{namespace}/" + kind.plural + "/{name}/resources"
        return await upstreams.forward(request, SERVING, build_path(template, namespace=namespace, name=name))

    async def resource_logs(namespace: NamespaceName, name: str, request: Request) -> Response:
        template = SERVICE_API_PREFIX + "/namespaces/{namespace}/" + kind.plural + "/{name}/resources/logs"
        return await relay_logs(request, SERVING, build_path(template, namespace=namespace, name=name))

    predict.__name__ = f"predict_{kind.plural}"
    predict_curl.__name__ = f"predict_curl_{kind.plural}"
    resources.__name__ = f"resources_{kind.plural}"
    name_type = DEPLOYMENT_NAMES[kind.kind]
    predict = with_param_types(predict, name=name_type)
    predict_curl = with_param_types(predict_curl, name=name_type)
    resources = with_param_types(resources, name=name_type)
    resource_logs.__name__ = f"resource_logs_{kind.plural}"
    resource_logs = with_param_types(resource_logs, name=name_type)
    router.add_api_route(
        f"{base}/predict",
        predict,
        methods=["POST"],
        tags=tag,
        openapi_extra=_PAYLOAD,
        summary="Send a prediction to the deployment; answers the model's response",
        responses={200: _ANSWER, **error_responses(400, 404, 413, 503)},
    )
    router.add_api_route(
        f"{base}/predictcurl",
        predict_curl,
        methods=["PUT"],
        tags=tag,
        openapi_extra=_PAYLOAD,
        summary="A ready-to-run curl command making this prediction against the public data plane (with auth on, "
        'it sends `-H "Authorization: Bearer $TOKEN"`: set TOKEN to an access token first)',
        responses={200: _CURL, **error_responses(400, 404, 413)},
    )
    router.add_api_route(
        f"{base}/resources",
        resources,
        methods=["GET"],
        # Documented by the serving service, which answers it (the public document places its route here).
        include_in_schema=False,
    )
    # A process's output, streamed with `follow=true` (documented by the serving service, like `resources`).
    router.add_api_route(f"{base}/resources/logs", resource_logs, methods=["GET"], include_in_schema=False)


def predict_router() -> APIRouter:
    router = APIRouter(prefix=PUBLIC_API_PREFIX)
    for kind in KINDS.values():
        _add_kind_routes(router, kind)
    return router
