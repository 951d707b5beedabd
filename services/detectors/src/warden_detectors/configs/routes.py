"""`{deployment}/monitor/{outlier-detector|drift-detector|metrics-server}[/{detectorName}]` for SeldonDeployments
and InferenceServices: the detector calls of seldon-deploy-sdk 1.6 (`OutlierDetectorApi`, `DriftDetectorApi`,
`MetricsServerApi`), under the service's `/api/v1alpha1` prefix (the gateway forwards the public paths)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from warden_common.api_docs import error_responses
from warden_common.bodies import json_shape_checked
from warden_common.names import DEPLOYMENT_NAMES, DetectorName, NamespaceName, with_param_types
from warden_common.upstreams import SERVICE_API_PREFIX
from warden_detectors.configs.deps import Service
from warden_detectors.configs.model import KIND_PATHS, PLURAL_KINDS, DeploymentRef, DetectorKey, KindName
from warden_detectors.configs.wire import PUBLIC_EXAMPLE, DetectorData, DetectorPublic, Message

WHAT = {"outlier": "outlier detector", "drift": "drift detector", "metrics": "metrics server"}


def collection_path(plural: str, segment: str) -> str:
    return f"{SERVICE_API_PREFIX}/namespaces/{{namespace}}/{plural}/{{name}}/monitor/{segment}"


def _routes(router: APIRouter, plural: str, segment: str, kind: KindName) -> None:
    deployment_kind = PLURAL_KINDS[plural]
    collection = collection_path(plural, segment)
    item = collection + "/{detectorName}"
    what = WHAT[kind]
    suffix = f"{kind}_{plural}"

    async def list_detectors(service: Service, namespace: NamespaceName, name: str) -> list[DetectorPublic]:
        return await service.list(DeploymentRef(namespace, deployment_kind, name), kind)

    async def create_detector(
        service: Service, namespace: NamespaceName, name: str, body: DetectorData
    ) -> DetectorPublic:
        return await service.create(DeploymentRef(namespace, deployment_kind, name), kind, body)

    async def read_detector(
        service: Service, namespace: NamespaceName, name: str, detectorName: DetectorName
    ) -> DetectorPublic:
        return await service.get(DetectorKey(DeploymentRef(namespace, deployment_kind, name), kind, detectorName))

    async def delete_detector(
        service: Service, namespace: NamespaceName, name: str, detectorName: DetectorName
    ) -> Message:
        key = DetectorKey(DeploymentRef(namespace, deployment_kind, name), kind, detectorName)
        await service.delete(key)
        return Message(code=200, message=f"{what} {detectorName} deleted")

    typed = DEPLOYMENT_NAMES[deployment_kind]
    common: dict[str, Any] = {"tags": ["detectors"]}
    router.add_api_route(
        collection, with_param_types(list_detectors, name=typed), methods=["GET"], name=f"list_{suffix}",
        summary=f"List the {what}s of a {deployment_kind}", response_model=list[DetectorPublic],
        responses={200: {"content": {"application/json": {"example": [PUBLIC_EXAMPLE]}}}}, **common,
    )  # fmt: skip
    router.add_api_route(
        collection, with_param_types(create_detector, name=typed), methods=["POST"], name=f"create_{suffix}",
        summary=f"Create a {what} for a {deployment_kind}", response_model=DetectorPublic,
        dependencies=[Depends(json_shape_checked)], responses=error_responses(409), **common,
    )  # fmt: skip
    router.add_api_route(
        item, with_param_types(read_detector, name=typed), methods=["GET"], name=f"read_{suffix}",
        summary=f"Read a {what} of a {deployment_kind} with its status", response_model=DetectorPublic,
        responses=error_responses(404), **common,
    )  # fmt: skip
    router.add_api_route(
        item, with_param_types(delete_detector, name=typed), methods=["DELETE"], name=f"delete_{suffix}",
        summary=f"Delete a {what} of a {deployment_kind}", response_model=Message,
        responses=error_responses(404), **common,
    )  # fmt: skip


def configs_router() -> APIRouter:
    router = APIRouter()
    for plural in PLURAL_KINDS:
        for segment, kind in KIND_PATHS.items():
            _routes(router, plural, segment, kind)
    return router
