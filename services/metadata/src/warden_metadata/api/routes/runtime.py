"""`/api/v1alpha1/model/metadata/runtime`: which model runs in which deployment / predictor / node."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from warden_common.api_docs import error_responses
from warden_metadata.api.deps import Service
from warden_metadata.api.docs import RUNTIME
from warden_metadata.schemas import NO_NUL_PATTERN
from warden_metadata.service import RuntimeFilters

router = APIRouter(prefix="/api/v1alpha1/model/metadata", tags=["runtime metadata"])


@router.get(
    "/runtime",
    summary="Which catalog model runs in which deployment, predictor and node",
    responses={200: RUNTIME, **error_responses(400)},
)
async def list_runtime_metadata(
    service: Service,
    model_uri: Annotated[str | None, Query(alias="ModelURI", pattern=NO_NUL_PATTERN)] = None,
    deployment_uid: Annotated[str | None, Query(alias="DeploymentUID", pattern=NO_NUL_PATTERN)] = None,
    deployment_name: Annotated[str | None, Query(alias="DeploymentName", pattern=NO_NUL_PATTERN)] = None,
    deployment_namespace: Annotated[str | None, Query(alias="DeploymentNamespace", pattern=NO_NUL_PATTERN)] = None,
    deployment_status: Annotated[str | None, Query(alias="DeploymentStatus", pattern=NO_NUL_PATTERN)] = None,
    predictor_name: Annotated[str | None, Query(alias="PredictorName", pattern=NO_NUL_PATTERN)] = None,
    node_name: Annotated[str | None, Query(alias="NodeName", pattern=NO_NUL_PATTERN)] = None,
    page_size: Annotated[int | None, Query(alias="pageSize")] = None,
    page_token: Annotated[str | None, Query(alias="pageToken", pattern=NO_NUL_PATTERN)] = None,
    list_mask: Annotated[str | None, Query(alias="listMask", pattern=NO_NUL_PATTERN)] = None,
    deployment_type: Annotated[str | None, Query(alias="deploymentType", pattern=NO_NUL_PATTERN)] = None,
) -> JSONResponse:
    del list_mask  # accepted for SDK compatibility; runtime entries are small and always returned whole
    filters = RuntimeFilters(
        model_uri=model_uri,
        deployment_uid=deployment_uid,
        deployment_name=deployment_name,
        deployment_namespace=deployment_namespace,
        deployment_status=deployment_status,
        predictor_name=predictor_name,
        node_name=node_name,
        # The SDK enum's zero value means "not set".
        deployment_type=None if deployment_type == "UndefinedDeploymentType" else deployment_type,
    )
    return JSONResponse(await service.list_runtime(filters, page_size=page_size, page_token=page_token))
