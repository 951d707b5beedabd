"""HTTP routes of explanations, under `/api/v1alpha1/namespaces/{namespace}/{plural}/{name}` (the gateway forwards
the same public paths):

    GET | PUT | DELETE  .../explainer                 the deployment's explainer (PUT adds or replaces it)
    POST                .../explain                   body: the prediction payload; or no body and
                                                      ?requestId=&instance= for a logged request
    GET                 .../explanations?requestId=   explanations of a logged request, newest first
    GET                 .../explanations/{id}         one explanation: running, succeeded (with it) or failed
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from warden_common import bodies
from warden_common.api_docs import error_responses
from warden_common.errors import BadRequest, unprocessable
from warden_common.explainers import ExplainerSpec
from warden_common.names import DEPLOYMENT_NAMES, ExplanationId, NamespaceName, with_param_types
from warden_common.service_app import app_state
from warden_detectors.explainers import docs
from warden_detectors.explainers.repository import DeploymentKey
from warden_detectors.explainers.service import ExplainService

router = APIRouter(prefix="/api/v1alpha1", tags=["explanations"])
PLURALS = {"seldondeployments": "SeldonDeployment", "inferenceservices": "InferenceService"}
RequestId = Annotated[str | None, Query(alias="requestId", min_length=1, max_length=200, pattern=r"^[^\x00]*$")]


def _service(request: Request) -> ExplainService:
    service: ExplainService = app_state(request, "explanations", "explanations are")
    return service


async def _json(request: Request, required: bool) -> Any:
    raw = await bodies.read_body(request)
    if not raw.strip():
        if required:
            raise BadRequest("the request body is empty; send a JSON object")
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"the request body is not valid JSON: {exc}") from exc


def _add_routes(plural: str, kind: str) -> None:
    base = f"/namespaces/{{namespace}}/{plural}/{{name}}"

    async def get_explainer(request: Request, namespace: NamespaceName, name: str) -> dict[str, Any]:
        return (await _service(request).explainer(DeploymentKey(namespace, kind, name))).wire()

    async def put_explainer(request: Request, namespace: NamespaceName, name: str) -> dict[str, Any]:
        body = await _json(request, required=True)
        try:
            spec = ExplainerSpec.model_validate(body)
        except ValidationError as exc:
            raise unprocessable(RequestValidationError(exc.errors(include_url=False))) from exc
        return (await _service(request).set_explainer(DeploymentKey(namespace, kind, name), spec)).wire()

    async def delete_explainer(request: Request, namespace: NamespaceName, name: str) -> dict[str, Any]:
        key = DeploymentKey(namespace, kind, name)
        if not await _service(request).remove_explainer(key):
            await _service(request).explainer(key)  # raises the 404 naming the deployment
        return {}

    async def explain(
        request: Request, namespace: NamespaceName, name: str, request_id: RequestId = None,
        instance: Annotated[int, Query(ge=0, le=100_000)] = 0,
    ) -> JSONResponse:  # fmt: skip
        payload = await _json(request, required=False)
        key = DeploymentKey(namespace, kind, name)
        status, body = await _service(request).explain(key, payload, request_id, instance)
        explanation_id = body.get("explanationId") or body.get("id") or body["details"]["explanationId"]
        # Relative (to `.../explain`): right both on this service and at the public path the gateway forwards.
        return JSONResponse(body, status_code=status, headers={"Location": f"explanations/{explanation_id}"})

    async def list_explanations(
        request: Request, namespace: NamespaceName, name: str, request_id: RequestId = None
    ) -> dict[str, Any]:
        if request_id is None:
            raise BadRequest("give requestId: the logged request whose explanations to list")
        found = await _service(request).of_request(DeploymentKey(namespace, kind, name), request_id)
        return {"explanations": found}

    async def get_explanation(
        request: Request, namespace: NamespaceName, name: str, explanation_id: ExplanationId
    ) -> dict[str, Any]:
        return await _service(request).explanation(DeploymentKey(namespace, kind, name), str(explanation_id))

    name_type = DEPLOYMENT_NAMES[kind]
    not_found = error_responses(404)
    for path, endpoint, method, summary, responses, body in (
        ("/explainer", get_explainer, "GET", "The deployment's explainer", {200: docs.EXPLAINER, **not_found}, None),
        ("/explainer", put_explainer, "PUT", "Add or replace the deployment's explainer",
         {200: docs.EXPLAINER, **error_responses(400, 404, 503)}, docs.EXPLAINER_BODY),
        ("/explainer", delete_explainer, "DELETE", "Remove the deployment's explainer",
         {200: docs.REMOVED, **not_found}, None),
        ("/explain", explain, "POST", "Explain a prediction (a payload, or a logged request)",
         docs.EXPLAIN_RESPONSES, docs.PAYLOAD_BODY),
        ("/explanations", list_explanations, "GET", "Explanations of a logged request",
         {200: docs.EXPLANATIONS, **error_responses(400)}, None),
        ("/explanations/{explanation_id}", get_explanation, "GET", "One explanation (poll a running one)",
         {200: docs.EXPLANATION, **not_found}, None),
    ):  # fmt: skip
        typed = with_param_types(endpoint, name=name_type)
        typed.__name__ = f"{endpoint.__name__}_{kind.lower()}"
        router.add_api_route(
            base + path, typed, methods=[method], summary=f"{summary} ({kind})", responses=responses,
            openapi_extra=body,
        )  # fmt: skip


for _plural, _kind in PLURALS.items():
    _add_routes(_plural, _kind)
