"""Feature distributions and statistics of one deployment's logged predictions (seldon-deploy-sdk `MonitorApi`):
`POST {base}/monitor/featuredistributions` and `POST {base}/monitor/featurestatistics`, for SeldonDeployments and
InferenceServices. The body is the SDK's `DeploymentFeatureData`; the aggregates are computed in the log store."""

from __future__ import annotations

import functools
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header

from warden_common.api_docs import error_responses
from warden_common.names import InferenceServiceName, NamespaceName, SeldonDeploymentName, with_param_types
from warden_request_logger import distribution_views as views
from warden_request_logger import distributions as dist
from warden_request_logger.api.deps import LoggerService
from warden_request_logger.api.docs import DISTRIBUTION, FEATURE_DATA_EXAMPLES, STATISTICS

router = APIRouter(prefix="/api/v1alpha1", tags=["monitoring"], responses=error_responses(400, 503))

FeatureData = Annotated[dist.FeatureDataBody, Body(openapi_examples=FEATURE_DATA_EXAMPLES)]
Authorization = Annotated[str | None, Header(include_in_schema=False)]


async def _compute(
    service: LoggerService, namespace: str, name: str, body: dist.FeatureDataBody, authorization: str | None
) -> tuple[dist.Plan, Any]:
    life = await service.life_to_search(namespace, name, uid=None, all_lives=False, authorization=authorization)
    return await dist.compute(service, body, namespace=namespace, name=name, life=life)


async def feature_distributions(service: LoggerService, namespace: NamespaceName, name: str, body: FeatureData,
                                authorization: Authorization = None) -> dict[str, Any]:  # fmt: skip
    planned, result = await _compute(service, namespace, name, body, authorization)
    return views.distribution_response(planned, result)


async def feature_statistics(service: LoggerService, namespace: NamespaceName, name: str, body: FeatureData,
                             authorization: Authorization = None) -> dict[str, Any]:  # fmt: skip
    planned, result = await _compute(service, namespace, name, body, authorization)
    return views.statistics_response(planned, result)


def _routes(plural: str, kind: str, name_type: Any) -> None:
    base = f"/namespaces/{{namespace}}/{plural}/{{name}}/monitor"
    routes = ((feature_distributions, "featuredistributions", "Distribution", DISTRIBUTION),
              (feature_statistics, "featurestatistics", "Statistics", STATISTICS))  # fmt: skip
    for endpoint, path, what, answer in routes:
        typed = functools.wraps(endpoint)(functools.partial(endpoint))
        router.add_api_route(
            f"{base}/{path}", with_param_types(typed, name=name_type), methods=["POST"],
            summary=f"{what} of a feature or output of a {kind}'s logged predictions", name=f"{plural}_{path}",
            description=_DOC.format(kind=kind), responses={200: answer},
        )  # fmt: skip


_DOC = """Of the {kind}'s logged predictions: `feature` names a request feature or response output of its
prediction schema (`interaction`: `request` | `response` when the name is both). REAL: a histogram
(`parameters.histogram_interval`) and count / min / max / avg; CATEGORICAL: counts per category name
(`category_map`); PROBA / ONE_HOT: per class, the sum of its values with their histogram, and per-class stats.
`filters`: a time range (`is_timestamp` with `gte` / `lt`, RFC 3339 or epoch ms), outliers (`is_outlier`), and
cohort conditions on other features (numeric `gt` / `gte` / `lt` / `lte`, categories `terms`, a class
`category_name`). `aggregate_over_time: false` (the default) answers per time slice
(`parameters.number_of_time_buckets`, default 10). Traffic marked as sent by a load test (`loadTest` in the
logged document) is left out unless `include_loadtest`."""

_routes("seldondeployments", "SeldonDeployment", SeldonDeploymentName)
_routes("inferenceservices", "InferenceService", InferenceServiceName)
