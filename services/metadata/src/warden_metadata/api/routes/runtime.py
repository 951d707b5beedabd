"""`/api/v1alpha1/model/metadata/runtime`: which model runs in which deployment / predictor / node."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from warden_common.api_docs import error_responses
from warden_metadata.api.deps import Service
from warden_metadata.api.docs import RUNTIME
from warden_metadata.schemas import QueryText
from warden_metadata.service import RuntimeFilters

router = APIRouter(prefix="/api/v1alpha1/model/metadata", tags=["runtime metadata"])


@router.get(
    "/runtime",
    summary="Which catalog model runs in which deployment, predictor and node",
    responses={200: RUNTIME, **error_responses(400)},
)
async def list_runtime_metadata(
    service: Service,
    model_uri: Annotated[QueryText | None, Query(alias="ModelURI")] = None,
    deployment_uid: Annotated[QueryText | None, Query(alias="DeploymentUID")] = None,
    deployment_name: Annotated[QueryText | None, Query(alias="DeploymentName")] = None,
    deployment_namespace: Annotated[QueryText | None, Query(alias="DeploymentNamespace")] = None,
    deployment_status: Annotated[QueryText | None, Query(alias="DeploymentStatus")] = None,
    predictor_name: Annotated[QueryText | None, Query(alias="PredictorName")] = None,
    node_name: Annotated[QueryText | None, Query(alias="NodeName")] = None,
    page_size: Annotated[int | None, Query(alias="pageSize")] = None,
    page_token: Annotated[QueryText | None, Query(alias="pageToken")] = None,
    list_mask: Annotated[QueryText | None, Query(alias="listMask")] = None,
    deployment_type: Annotated[QueryText | None, Query(alias="deploymentType")] = None,
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
