"""HTTP routes of the data plane at the full public paths (`/seldon/{ns}/{name}/...`).

Every reply, errors included, carries `Seldon-Puid` (the caller's, or a new one), so a failed call can still be
correlated with the logs. Errors are the usual `{code, reason, message}` body; bad input is always a 4xx.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict
from starlette.background import BackgroundTask

from warden_common import bodies
from warden_common.errors import BadRequest, NotFound, WardenError, unprocessable
from warden_common.events.inference import ENDPOINT_HEADER, EXPLAINER_HEADER, LOAD_TEST_HEADER
from warden_common.names import DeploymentName, ModelName, ModelVersion, NamespaceName
from warden_common.requestmetrics.received import received_at
from warden_serving.dataplane import docs
from warden_serving.dataplane.arrays import InvalidPayload
from warden_serving.dataplane.metrics import FEEDBACK, PREDICTIONS
from warden_serving.dataplane.service import SELDON, TENSORFLOW, V2, Call, DataPlane, Outcome, require_model
from warden_serving.runtime.port import DeploymentRoute

PUID_HEADER = "Seldon-Puid"
SKIP_LOGGING_HEADER = "Seldon-Skip-Logging"
_MAX_LOAD_TEST_NAME = 253  # a job name is a Kubernetes name; anything longer is not ours and is cut


class _PuidOnInvalidRequest(APIRoute):
    """A request FastAPI rejects (a bad name in the path) still gets its `Seldon-Puid`, like every other reply."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                err = unprocessable(exc)
                return JSONResponse(err.to_body(), status_code=err.status_code, headers={PUID_HEADER: _puid(request)})

        return handle


router = APIRouter(tags=["data plane"], route_class=_PuidOnInvalidRequest)
PREFIX = "/seldon/{namespace}/{name}"


def _plane(request: Request) -> DataPlane:
    plane: DataPlane = request.app.state.dataplane
    return plane


def _puid(request: Request) -> str:
    given = request.headers.get(PUID_HEADER, "").strip()
    return given or str(uuid.uuid4())


async def _read_json(request: Request) -> tuple[bytes, Any]:
    """The body as sent and parsed (a V2 body that needs no translation is forwarded as these bytes), within the
    app's body limits (413 / 422; checked whatever the content type says, as the body is parsed as JSON anyway)."""
    raw = await bodies.read_body(request)
    if request.headers.get("inference-header-content-length"):
        raise InvalidPayload("the V2 binary tensor extension is not supported; send JSON tensors")
    if not raw:
        raise InvalidPayload("the request body is empty; send a JSON payload")
    bodies.check_json_shape(raw, bodies.limits_of(request))
    try:
        return raw, json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidPayload(f"the request body is not valid JSON: {exc}") from exc


async def _serve(
    request: Request, namespace: str, name: str, protocol: str, model: str | None, feedback: bool
) -> Response:
    started = received_at(request.scope)  # from the process's ASGI entry: auth and body read included
    puid = _puid(request)
    headers = {PUID_HEADER: puid}
    plane = _plane(request)
    outcome = Outcome()
    explainer = request.headers.get(EXPLAINER_HEADER, "").strip().lower() == "true"
    response: Response
    try:
        raw, body = await _read_json(request)
        call = Call(
            namespace=namespace, name=name, protocol=protocol, body=body, puid=puid,
            skip_logging=request.headers.get(SKIP_LOGGING_HEADER, "").strip().lower() == "true", model=model, raw=raw,
            load_test=request.headers.get(LOAD_TEST_HEADER, "").strip()[:_MAX_LOAD_TEST_NAME] or None,
            outcome=outcome, explainer=explainer,
        )  # fmt: skip

        def served(predictor: str) -> None:
            headers[ENDPOINT_HEADER] = predictor  # which predictor answered (a load test counts per endpoint)

        result = await (plane.feedback(call) if feedback else plane.predict(call, served))
    except WardenError as exc:
        response = JSONResponse(exc.to_body(), status_code=exc.status_code, headers=headers)
    else:
        if isinstance(result, bytes):  # the model's answer passed through untouched
            response = Response(result, media_type="application/json", headers=headers)
        else:
            response = JSONResponse(result, headers=headers)
    predictor = outcome.predictor or plane.default_predictor(namespace, name)
    if predictor is not None and not explainer:
        service, code = (FEEDBACK if feedback else PREDICTIONS), response.status_code

        async def observe() -> None:
            plane.metrics.served(namespace, name, predictor, service, code, time.perf_counter() - started)

        # Observed once the response is written (Starlette runs it right after the body is sent), so the latency
        # holds what the client waits for: rendering and writing the answer too, as Seldon's executor times it.
        response.background = BackgroundTask(observe)
    return response


@router.post(
    PREFIX + "/api/v1.0/predictions",
    summary="Predict (Seldon protocol)",
    openapi_extra=docs.SELDON_BODY,
    responses=docs.SELDON,
)
@router.post(
    PREFIX + "/api/v0.1/predictions",
    summary="Predict (Seldon protocol, v0.1 path)",
    openapi_extra=docs.SELDON_BODY,
    responses=docs.SELDON,
)
async def seldon_predict(request: Request, namespace: NamespaceName, name: DeploymentName) -> Response:
    return await _serve(request, namespace, name, SELDON, None, feedback=False)


@router.post(
    PREFIX + "/api/v1.0/feedback",
    summary="Send feedback (Seldon protocol)",
    openapi_extra=docs.FEEDBACK_BODY,
    responses=docs.FEEDBACK,
)
@router.post(
    PREFIX + "/api/v0.1/feedback",
    summary="Send feedback (Seldon protocol, v0.1 path)",
    openapi_extra=docs.FEEDBACK_BODY,
    responses=docs.FEEDBACK,
)
async def seldon_feedback(request: Request, namespace: NamespaceName, name: DeploymentName) -> Response:
    return await _serve(request, namespace, name, SELDON, None, feedback=True)


@router.post(
    PREFIX + "/v2/models/{model}/infer", summary="Infer (V2 protocol)", openapi_extra=docs.V2_BODY, responses=docs.V2
)
async def v2_infer(request: Request, namespace: NamespaceName, name: DeploymentName, model: ModelName) -> Response:
    return await _serve(request, namespace, name, V2, model, feedback=False)


@router.post(
    PREFIX + "/v2/models/{model}/versions/{version}/infer",
    summary="Infer a model version (V2)",
    openapi_extra=docs.V2_BODY,
    responses=docs.V2,
)
async def v2_infer_version(
    request: Request, namespace: NamespaceName, name: DeploymentName, model: ModelName, version: ModelVersion
) -> Response:
    del version  # each predictor serves one version of its model
    return await _serve(request, namespace, name, V2, model, feedback=False)


@router.post(
    PREFIX + "/v1/models/{model}:predict",
    summary="Predict (Tensorflow / KServe V1 protocol)",
    openapi_extra=docs.TF_BODY,
    responses=docs.TF,
)
async def v1_predict(request: Request, namespace: NamespaceName, name: DeploymentName, model: ModelName) -> Response:
    return await _serve(request, namespace, name, TENSORFLOW, model, feedback=False)


class Live(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {"live": True}})

    live: bool


class Ready(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {"ready": True}})

    ready: bool


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


def _served(request: Request, namespace: str, name: str, model: str) -> DeploymentRoute:
    """The running deployment, if it serves `model`; else a 404 naming what it does serve."""
    route = _running(request, namespace, name)
    require_model(route, model)
    return route


@router.get(PREFIX + "/v2/health/live", summary="Is the deployment running (V2)", responses=docs.LIVE)
async def v2_live(request: Request, namespace: NamespaceName, name: DeploymentName) -> Live:
    _running(request, namespace, name)
    return Live(live=True)


@router.get(PREFIX + "/v2/health/ready", summary="Is the deployment ready (V2)", responses=docs.READY)
async def v2_ready(request: Request, namespace: NamespaceName, name: DeploymentName) -> Ready:
    return _ready(request, namespace, name)


@router.get(PREFIX + "/v2/models/{model}/ready", summary="Is the model ready (V2)", responses=docs.READY)
async def v2_model_ready(request: Request, namespace: NamespaceName, name: DeploymentName, model: ModelName) -> Ready:
    _served(request, namespace, name, model)
    return _ready(request, namespace, name)


@router.get(
    PREFIX + "/v2/models/{model}/versions/{version}/ready",
    summary="Is the model version ready (V2)",
    responses=docs.READY,
)
async def v2_model_version_ready(
    request: Request, namespace: NamespaceName, name: DeploymentName, model: ModelName, version: ModelVersion
) -> Ready:
    del version  # each predictor serves one version of its model
    _served(request, namespace, name, model)
    return _ready(request, namespace, name)


@router.get(PREFIX + "/v2/models/{model}", summary="Model metadata (V2)", responses=docs.MODEL_METADATA)
async def v2_metadata(request: Request, namespace: NamespaceName, name: DeploymentName, model: ModelName) -> Response:
    route = _served(request, namespace, name, model)
    live = route.live[0].plan if route.live else None
    return JSONResponse(
        {"name": model, "versions": [], "platform": live.implementation if live else "", "inputs": [], "outputs": []}
    )
