"""HTTP routes of the data plane at the full public paths (`/seldon/{ns}/{name}/...`).

Every reply, errors included, carries `Seldon-Puid` (the caller's, or a new one), so a failed call can still be
correlated with the logs. Errors are the usual `{code, reason, message}` body; bad input is always a 4xx.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from warden_common.error_responses import ErrorBody
from warden_common.errors import BadRequest, NotFound, PayloadTooLarge, WardenError
from warden_serving.dataplane.arrays import InvalidPayload
from warden_serving.dataplane.service import SELDON, TENSORFLOW, V2, Call, DataPlane
from warden_serving.runtime.port import DeploymentRoute

PUID_HEADER = "Seldon-Puid"
SKIP_LOGGING_HEADER = "Seldon-Skip-Logging"

router = APIRouter(tags=["data plane"])
PREFIX = "/seldon/{namespace}/{name}"


def _plane(request: Request) -> DataPlane:
    plane: DataPlane = request.app.state.dataplane
    return plane


def _puid(request: Request) -> str:
    given = request.headers.get(PUID_HEADER, "").strip()
    return given or str(uuid.uuid4())


async def _read_json(request: Request) -> tuple[bytes, Any]:
    """The body as sent and parsed (a V2 body that needs no translation is forwarded as these bytes)."""
    limit: int = request.app.state.settings.max_body_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"request body of {declared} bytes exceeds the {limit}-byte limit")
    raw = bytearray()
    async for chunk in request.stream():
        raw.extend(chunk)
        if len(raw) > limit:
            raise PayloadTooLarge(f"request body exceeds the {limit}-byte limit")
    if request.headers.get("inference-header-content-length"):
        raise InvalidPayload("the V2 binary tensor extension is not supported; send JSON tensors")
    if not raw:
        raise InvalidPayload("the request body is empty; send a JSON payload")
    try:
        return bytes(raw), json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidPayload(f"the request body is not valid JSON: {exc}") from exc


async def _serve(
    request: Request, namespace: str, name: str, protocol: str, model: str | None, feedback: bool
) -> Response:
    puid = _puid(request)
    headers = {PUID_HEADER: puid}
    try:
        raw, body = await _read_json(request)
        call = Call(
            namespace=namespace, name=name, protocol=protocol, body=body, puid=puid,
            skip_logging=request.headers.get(SKIP_LOGGING_HEADER, "").strip().lower() == "true", model=model, raw=raw,
        )  # fmt: skip
        plane = _plane(request)
        result = await (plane.feedback(call) if feedback else plane.predict(call))
    except WardenError as exc:
        return JSONResponse(exc.to_body(), status_code=exc.status_code, headers=headers)
    if isinstance(result, bytes):  # the model's answer passed through untouched
        return Response(result, media_type="application/json", headers=headers)
    return JSONResponse(result, headers=headers)


@router.post(PREFIX + "/api/v1.0/predictions")
@router.post(PREFIX + "/api/v0.1/predictions")
async def seldon_predict(request: Request, namespace: str, name: str) -> Response:
    return await _serve(request, namespace, name, SELDON, None, feedback=False)


@router.post(PREFIX + "/api/v1.0/feedback")
@router.post(PREFIX + "/api/v0.1/feedback")
async def seldon_feedback(request: Request, namespace: str, name: str) -> Response:
    return await _serve(request, namespace, name, SELDON, None, feedback=True)


@router.post(PREFIX + "/v2/models/{model}/infer")
async def v2_infer(request: Request, namespace: str, name: str, model: str) -> Response:
    return await _serve(request, namespace, name, V2, model, feedback=False)


@router.post(PREFIX + "/v2/models/{model}/versions/{version}/infer")
async def v2_infer_version(request: Request, namespace: str, name: str, model: str, version: str) -> Response:
    return await _serve(request, namespace, name, V2, model, feedback=False)  # one version per deployed model


@router.post(PREFIX + "/v1/models/{model}:predict")
async def v1_predict(request: Request, namespace: str, name: str, model: str) -> Response:
    return await _serve(request, namespace, name, TENSORFLOW, model, feedback=False)


class Live(BaseModel):
    live: bool


class Ready(BaseModel):
    ready: bool


_NOT_RUNNING: dict[int | str, dict[str, Any]] = {404: {"model": ErrorBody, "description": "Deployment not running"}}
_NOT_READY: dict[int | str, dict[str, Any]] = {
    **_NOT_RUNNING,
    400: {"model": ErrorBody, "description": "Running, but not every predictor has a ready replica yet"},
}


def _running(request: Request, namespace: str, name: str) -> DeploymentRoute:
    route: DeploymentRoute | None = request.app.state.runtime.route(namespace, name)
    if route is None:
        raise NotFound(f"deployment {namespace}/{name} is not running", code="deployment_not_found")
    return route


def _ready(request: Request, namespace: str, name: str) -> Ready:
    """The V2 health answer: 200 means ready, a 4xx (not a 5xx: nothing failed) means not (Open Inference Protocol)."""
    route = _running(request, namespace, name)
    if not (route.live and all(p.endpoint.pick() is not None for p in route.live)):
        raise BadRequest(f"deployment {namespace}/{name} has no ready replica yet", code="not_ready")
    return Ready(ready=True)


@router.get(PREFIX + "/v2/health/live", responses=_NOT_RUNNING)
async def v2_live(request: Request, namespace: str, name: str) -> Live:
    _running(request, namespace, name)
    return Live(live=True)


@router.get(PREFIX + "/v2/health/ready", responses=_NOT_READY)
async def v2_ready(request: Request, namespace: str, name: str) -> Ready:
    return _ready(request, namespace, name)


@router.get(PREFIX + "/v2/models/{model}/ready", responses=_NOT_READY)
async def v2_model_ready(request: Request, namespace: str, name: str, model: str) -> Ready:
    return _ready(request, namespace, name)


@router.get(PREFIX + "/v2/models/{model}/versions/{version}/ready", responses=_NOT_READY)
async def v2_model_version_ready(request: Request, namespace: str, name: str, model: str, version: str) -> Ready:
    return _ready(request, namespace, name)


@router.get(PREFIX + "/v2/models/{model}", responses=_NOT_RUNNING)
async def v2_metadata(request: Request, namespace: str, name: str, model: str) -> Response:
    route = _running(request, namespace, name)
    live = route.live[0].plan if route.live else None
    return JSONResponse(
        {"name": model, "versions": [], "platform": live.implementation if live else "", "inputs": [], "outputs": []}
    )
