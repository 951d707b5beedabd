"""`GET|POST {base}/loadtestjobs`, `DELETE {base}/loadtestjobs/{jobName}` (both deployment kinds).

Answers are the SDK's `Message` (`{code, message}`, what seldon-deploy-sdk 1.6 parses for all three calls) with
the jobs beside it: `job` (POST) and `jobs` (GET), each with its `result` (throughput, latency percentiles,
status codes and errors, overall and per endpoint). The load goes to the deployment's public data-plane route,
at the address the gateway was called on (or `WARDEN_GATEWAY_LOAD_TESTS__TARGET_URL`), with the caller's
credentials: a load test may do what its creator may do, for as long as their token lasts.
"""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse
from starlette.formparsers import MultiPartException

from warden_common import bodies
from warden_common.api_docs import error_responses, json_response
from warden_common.errors import BadRequest, ServiceUnavailable, UnsupportedMediaType
from warden_common.names import DEPLOYMENT_NAMES, NamespaceName, with_param_types
from warden_common.upstreams import SERVICE_API_PREFIX, Upstreams
from warden_common.urls import build_path
from warden_gateway.api.deps import ANONYMOUS, deployments, load_tests
from warden_gateway.api.routes.forwarded import PUBLIC_API_PREFIX
from warden_gateway.api.routes.predict import data_plane_path
from warden_gateway.authz.middleware import principal_of
from warden_gateway.deployments.kinds import KINDS, DeploymentKind
from warden_gateway.deployments.service import DeploymentService
from warden_gateway.loadtests import docs as examples
from warden_gateway.loadtests.service import LoadTestService
from warden_gateway.loadtests.spec import parse_spec
from warden_gateway.settings import GatewaySettings
from warden_gateway.standalone import public_base_url

Deployments = Annotated[DeploymentService, Depends(deployments)]
JobName = Annotated[str, Path(alias="jobName", min_length=1, max_length=63, pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
                              description="The load test job's name (a DNS-1123 label)")]  # fmt: skip
REQUEST_LOGGER = "request-logger"


LoadTests = Annotated[LoadTestService, Depends(load_tests)]


async def _fields(request: Request) -> dict[str, Any]:
    """The request's fields: a multipart / urlencoded form (the SDK's declared form), or a JSON object."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        try:
            form = await request.form(max_files=1, max_fields=10)
        except MultiPartException as exc:
            raise BadRequest(f"the form cannot be read: {exc.message}", code="invalid_load_test") from exc
        out: dict[str, Any] = {}
        for key, value in form.multi_items():
            out[key] = await value.read() if not isinstance(value, str) else value
        return out
    if content_type not in ("", "application/json"):
        raise UnsupportedMediaType(f"send the load test as multipart/form-data or application/json, not {content_type}")
    raw = await bodies.read_body(request)
    if not raw.strip():
        return {}
    body = bodies.parse_json(raw, bodies.limits_of(request), what="the load test")
    if not isinstance(body, dict):
        raise BadRequest("the load test must be a JSON object", code="invalid_load_test", details={"field": "body"})
    return body


async def _newest_logged_payload(request: Request, kind: DeploymentKind, namespace: str, name: str) -> Any:
    """The payload of the deployment's newest logged request: the default load of a test that names none."""
    upstreams: Upstreams = request.app.state.upstreams
    missing = BadRequest(
        f"loadFile: no prediction payload given and {namespace}/{name} has no logged request to replay; send "
        "the payload as loadFile (multipart) or payload (JSON)",
        code="invalid_load_test",
        details={"field": "loadFile"},
    )
    if not upstreams.configured(REQUEST_LOGGER):
        raise missing
    template = SERVICE_API_PREFIX + "/namespaces/{namespace}/" + kind.plural + "/{name}/requests"
    headers = {"authorization": auth} if (auth := request.headers.get("authorization")) else {}
    answer = await upstreams.send(REQUEST_LOGGER, "GET", build_path(template, namespace=namespace, name=name),
                                  params={"pageSize": 1}, headers=headers)  # fmt: skip
    try:
        hits = answer.json().get("requests") if answer.status_code == 200 else None
        payload = (((hits or [{}])[0].get("payloads") or {}).get("request") or {}).get("payload")
    except (ValueError, AttributeError, IndexError):  # not the search answer: treated as nothing found
        payload = None
    if not isinstance(payload, dict):
        raise missing
    return payload


def _target_base(request: Request) -> str:
    settings: GatewaySettings = request.app.state.settings
    if settings.load_tests.target_url:
        return settings.load_tests.target_url.rstrip("/")
    server = request.scope.get("server")
    if not server or server[1] is None:
        raise ServiceUnavailable("the gateway cannot tell its own address: set WARDEN_GATEWAY_LOAD_TESTS__TARGET_URL")
    return public_base_url(str(server[0]), int(server[1]))


def _add_kind_routes(router: APIRouter, kind: DeploymentKind) -> None:
    base = f"/namespaces/{{namespace}}/{kind.plural}/{{name}}/loadtestjobs"
    tag: list[str | Enum] = [f"{kind.plural} load tests"]

    async def list_jobs(namespace: NamespaceName, name: str, service: Deployments, jobs: LoadTests) -> dict[str, Any]:
        await service.exists(kind, namespace, name)
        rows = await jobs.list((namespace, kind.plural, name))
        listed = ", ".join(f"{row.name} ({row.status})" for row in rows) or "none"
        return {"code": 200, "message": f"load test jobs of {namespace}/{name}: {listed}",
                "jobs": [row.to_api() for row in rows]}  # fmt: skip

    async def create_job(namespace: NamespaceName, name: str, request: Request, service: Deployments,
                         jobs: LoadTests) -> JSONResponse:  # fmt: skip
        obj = (await service.exists(kind, namespace, name)).to_object()
        settings: GatewaySettings = request.app.state.settings
        spec = parse_spec(await _fields(request), settings.load_tests)
        if spec.payload is None:
            spec = dataclasses.replace(spec, payload=await _newest_logged_payload(request, kind, namespace, name))
        path = data_plane_path(obj, spec.payload, namespace, name)
        headers = {"authorization": auth} if (auth := request.headers.get("authorization")) else {}
        principal = principal_of(request.scope)
        row = await jobs.create((namespace, kind.plural, name), spec, url=_target_base(request) + path, path=path,
                                headers=headers, actor=principal.user if principal else ANONYMOUS)  # fmt: skip
        body = {"code": 201, "message": f"load test job {row.name} created", "jobName": row.name, "job": row.to_api()}
        return JSONResponse(body, status_code=201)

    async def delete_job(namespace: NamespaceName, name: str, job_name: JobName, service: Deployments,
                         jobs: LoadTests) -> dict[str, Any]:  # fmt: skip
        await service.exists(kind, namespace, name)
        await jobs.delete((namespace, kind.plural, name, job_name))
        return {"code": 200, "message": f"load test job {job_name} deleted"}

    name_type = DEPLOYMENT_NAMES[kind.kind]
    for handler, verb in ((list_jobs, "list"), (create_job, "create"), (delete_job, "delete")):
        handler.__name__ = f"{verb}_loadtest_{kind.plural}"
    router.add_api_route(
        base, with_param_types(list_jobs, name=name_type), methods=["GET"], tags=tag,
        summary="The deployment's load test jobs with their status and results",
        responses={200: json_response({"type": "object"}, examples.LOAD_TEST_LIST), **error_responses(404, 503)},
    )  # fmt: skip
    router.add_api_route(
        base, with_param_types(create_job, name=name_type), methods=["POST"], tags=tag, status_code=201,
        openapi_extra=examples.LOAD_TEST_BODY,
        summary="Start a load test: connectionsNumber concurrent connections send the payload (loadFile) to the "
        "deployment's data plane for duration seconds or requestsNumber requests",
        responses={201: json_response({"type": "object"}, examples.LOAD_TEST_CREATED),
                   **error_responses(400, 404, 409, 413, 415, 503)},
    )  # fmt: skip
    router.add_api_route(
        base + "/{jobName}", with_param_types(delete_job, name=name_type), methods=["DELETE"], tags=tag,
        summary="Stop (if running) and delete a load test job",
        responses={200: json_response({"type": "object"}, {"code": 200, "message": "load test job lt-1 deleted"}),
                   **error_responses(404, 503)},
    )  # fmt: skip


def load_tests_router() -> APIRouter:
    router = APIRouter(prefix=PUBLIC_API_PREFIX)
    for kind in KINDS.values():
        _add_kind_routes(router, kind)
    return router
