"""`{deployment}/batchjobs[/{jobName}]` for SeldonDeployments and InferenceServices: seldon-deploy-sdk 1.6's
`BatchJobsApi` (create, list, read) and cancel (`DELETE`), under the service's `/api/v1alpha1` prefix (the gateway
forwards the public paths)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from warden_batch.api.deps import Actor, Service
from warden_batch.service import DeploymentRef
from warden_batch.wire import (
    BatchJobDefinition,
    BatchJobDescription,
    BatchJobGetResponse,
    BatchJobPostResponse,
    BatchJobsListResponse,
)
from warden_common.api_docs import error_responses
from warden_common.bodies import json_shape_checked
from warden_common.names import DEPLOYMENT_NAMES, BatchJobName, NamespaceName, with_param_types
from warden_common.upstreams import SERVICE_API_PREFIX

PLURAL_KINDS = {"seldondeployments": "SeldonDeployment", "inferenceservices": "InferenceService"}
_UID = "8f3d5d0e-5c1b-4b7e-9a59-2f1c0d7e3a41"
DESCRIPTION_EXAMPLE = {
    "workflowName": "iris-kbgz5", "workflowUID": _UID, "workflowStatus": "Running",
    "StartedAt": "2026-12-05T07:03:01Z", "FinishedAt": None, "message": None,
    "outputData": "s3://data/output-data-iris-kbgz5.txt", "createdBy": "alice",
    "progress": {"linesDone": 4200, "linesFailed": 0, "linesTotal": 10000, "linesPerSecond": 850.5,
                 "etaSeconds": 6.8},
}  # fmt: skip
_ORDER = (
    " The output has one line per input line, in INPUT order (line i answers input line i), with "
    "`meta.tags.batch_id`, `batch_index` (0-based input line) and `batch_instance_id`; a line that still fails after "
    'its retries is `{"status": {"info": "FAILURE", "reason": <the error>, "status": 1}, "meta": ...}`.'
)
Limit = Annotated[int, Query(ge=1, le=1000, description="Jobs per page.")]
Page = Annotated[int, Query(ge=1, description="1-based page number.")]


def _routes(router: APIRouter, plural: str) -> None:
    kind = PLURAL_KINDS[plural]
    collection = f"{SERVICE_API_PREFIX}/namespaces/{{namespace}}/{plural}/{{name}}/batchjobs"
    item = collection + "/{jobName}"

    async def list_jobs(
        service: Service, namespace: NamespaceName, name: str, limit: Limit = 20, page: Page = 1
    ) -> BatchJobsListResponse:
        jobs, pages = await service.page(DeploymentRef(namespace, kind, name), limit, page)
        return BatchJobsListResponse(batch_jobs=jobs, limit=limit, page=page, pages_count=pages)

    async def create_job(
        service: Service, namespace: NamespaceName, name: str, body: BatchJobDefinition, actor: Actor
    ) -> BatchJobPostResponse:
        row = await service.create(DeploymentRef(namespace, kind, name), body, actor)
        return BatchJobPostResponse(workflow_name=row.name, workflow_uid=row.uid)

    async def read_job(
        service: Service, namespace: NamespaceName, name: str, jobName: BatchJobName
    ) -> BatchJobGetResponse:
        return await service.get(DeploymentRef(namespace, kind, name), jobName)

    async def cancel_job(
        service: Service, namespace: NamespaceName, name: str, jobName: BatchJobName
    ) -> BatchJobDescription:
        return await service.cancel(DeploymentRef(namespace, kind, name), jobName)

    typed = DEPLOYMENT_NAMES[kind]
    common: dict[str, Any] = {"tags": ["batch jobs"]}
    router.add_api_route(
        collection, with_param_types(list_jobs, name=typed), methods=["GET"], name=f"list_batch_jobs_{plural}",
        summary=f"List the batch jobs of a {kind}, newest first", response_model=BatchJobsListResponse,
        response_model_by_alias=True,
        responses={200: {"content": {"application/json": {"example": {
            "batchJobs": [DESCRIPTION_EXAMPLE], "limit": 20, "page": 1, "pagesCount": 1}}}}},
        **common,
    )  # fmt: skip
    router.add_api_route(
        collection, with_param_types(create_job, name=typed), methods=["POST"], name=f"create_batch_job_{plural}",
        summary=f"Start a batch prediction or batch feedback job on a {kind}", status_code=201,
        description="The job runs in the batch service, survives its restarts (it resumes where it stopped, no "
        "line written twice) and is read with GET .../batchjobs/{jobName}." + _ORDER,
        response_model=BatchJobPostResponse, response_model_by_alias=True, dependencies=[Depends(json_shape_checked)],
        responses={201: {"content": {"application/json": {"example": {
            "workflowName": "iris-kbgz5", "workflowUID": _UID}}}}},
        **common,
    )  # fmt: skip
    router.add_api_route(
        item, with_param_types(read_job, name=typed), methods=["GET"], name=f"read_batch_job_{plural}",
        summary=f"Read a batch job of a {kind}: its definition, state and progress (lines done / total, rate, ETA)",
        response_model=BatchJobGetResponse, response_model_by_alias=True,
        responses={**error_responses(404), 200: {"content": {"application/json": {"example": {
            "Definition": BatchJobDefinition.model_config["json_schema_extra"]["example"],  # type: ignore[index]
            "Description": DESCRIPTION_EXAMPLE}}}}},
        **common,
    )  # fmt: skip
    router.add_api_route(
        item, with_param_types(cancel_job, name=typed), methods=["DELETE"], name=f"cancel_batch_job_{plural}",
        summary=f"Cancel a batch job of a {kind}",
        description="A pending job fails at once; a running one stops within a third of its lease "
        "(WARDEN_BATCH_LEASE_S) and ends `Failed` with the message `cancelled`; no output is written. Cancelling "
        "a finished job changes nothing. Answers the job's description.",
        response_model=BatchJobDescription, response_model_by_alias=True,
        responses={**error_responses(404), 200: {"content": {"application/json": {"example": DESCRIPTION_EXAMPLE}}}},
        **common,
    )  # fmt: skip


def batch_router() -> APIRouter:
    router = APIRouter()
    for plural in PLURAL_KINDS:
        _routes(router, plural)
    return router
