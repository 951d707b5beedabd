"""Request log search: one deployment (`{base}/requests`) or any logged traffic (`/requests`).

Filters: time range (`start` inclusive, `end` exclusive, RFC 3339), `endpoint` (default / canary / shadow / any
predictor name), `requestId`, `outliersOnly`, feature conditions `feature=<name>:<op>:<value>` on request
elements and `output=<name>:<op>:<value>` on response elements (op: eq, ne, gt, gte, lt, lte; grouped PROBA /
ONE_HOT values as `<group>.<category>`). Paging with `pageSize` and the `nextPageToken` of the previous page;
`sort=desc` (newest first, default) or `asc`.

Lives of a name: a deployment deleted and created again under the same name is a new life with its own log.
A search naming a deployment shows the current deployment's traffic; `uid=<metadata.uid>` shows an earlier
one's, `allLives=true` every one (combine with `start` / `end` for a time window).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query

from warden_common.api_docs import error_responses
from warden_common.errors import BadRequest
from warden_common.logstore import FeatureFilter, LogQuery
from warden_common.names import InferenceServiceName, NamespaceName, SeldonDeploymentName
from warden_request_logger.api.deps import LoggerService
from warden_request_logger.api.docs import SEARCH
from warden_request_logger.api.views import hit_view

router = APIRouter(prefix="/api/v1alpha1", tags=["request logs"], responses={200: SEARCH, **error_responses(400, 503)})

_CONDITION = re.compile(r"^(?P<name>.+):(?P<op>eq|ne|gt|gte|lt|lte):(?P<value>.*)$", re.DOTALL)


def parse_condition(text: str, part: Literal["request", "response"], param: str) -> FeatureFilter:
    match = _CONDITION.match(text)
    if match is None:
        raise BadRequest(
            f"{param}={text!r}: expected <name>:<op>:<value> with op one of eq, ne, gt, gte, lt, lte",
            details={"param": param},
        )
    op = match["op"]
    raw = match["value"]
    value: str | float | bool
    if raw in ("true", "false"):
        value = raw == "true"
    else:
        try:
            value = float(raw)
        except ValueError:
            if op not in ("eq", "ne"):
                raise BadRequest(f"{param}={text!r}: {op} needs a number", details={"param": param}) from None
            value = raw
    return FeatureFilter(match["name"], op, value, part)  # type: ignore[arg-type]


PageSize = Annotated[int, Query(alias="pageSize", ge=1, le=500)]
Feature = Annotated[list[str], Query(description="<name>:<op>:<value> on request elements")]
Output = Annotated[list[str], Query(description="<name>:<op>:<value> on response elements")]
Uid = Annotated[
    str | None,
    Query(
        min_length=1,
        description="Only the traffic of the deployment with this `metadata.uid` (e.g. an earlier deployment of the "
        "same name). Default: the current deployment's traffic, when a deployment is named.",
    ),
]
AllLives = Annotated[
    bool,
    Query(
        alias="allLives",
        description="The traffic of every deployment that had this name, not only the current one's (a deleted "
        "and recreated deployment starts with a clean log by default). Combine with start/end for a time window.",
    ),
]


class SearchFilters:
    """The query parameters both search routes take (a FastAPI dependency, so they are declared once)."""

    def __init__(
        self,
        endpoint: str | None = None,
        request_id: Annotated[str | None, Query(alias="requestId")] = None,
        start: datetime | None = None,
        end: datetime | None = None,
        outliers_only: Annotated[bool, Query(alias="outliersOnly")] = False,
        feature: Feature = [],  # noqa: B006 - FastAPI copies query defaults
        output: Output = [],  # noqa: B006
        page_size: PageSize = 20,
        page_token: Annotated[str | None, Query(alias="pageToken")] = None,
        sort: Literal["asc", "desc"] = "desc",
        uid: Uid = None,
        all_lives: AllLives = False,
        authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
    ) -> None:
        if start is not None and end is not None and end <= start:
            raise BadRequest("end must be after start", details={"param": "end"})
        if uid is not None and all_lives:
            raise BadRequest("uid selects one deployment's traffic and allLives=true every one's: give one of them",
                             details={"param": "uid"})  # fmt: skip
        self.uid, self.all_lives, self.authorization = uid, all_lives, authorization
        self.endpoint, self.request_id, self.start, self.end = endpoint, request_id, start, end
        self.outliers_only, self.page_size, self.page_token, self.sort = outliers_only, page_size, page_token, sort
        self.conditions = [parse_condition(f, "request", "feature") for f in feature]
        self.conditions += [parse_condition(f, "response", "output") for f in output]


Filters = Annotated[SearchFilters, Depends()]


async def _search(
    service: LoggerService, *, namespace: str | None, name: str | None, filters: SearchFilters
) -> dict[str, Any]:
    if name is not None and namespace is None:
        raise BadRequest("name needs namespace: deployment names are unique only within a namespace",
                         details={"param": "namespace"})  # fmt: skip
    f = filters
    life = await service.life_to_search(namespace, name, uid=f.uid, all_lives=f.all_lives,
                                        authorization=f.authorization)  # fmt: skip
    page = await service.search(
        LogQuery(
            namespace=namespace, deployment=name, endpoint=f.endpoint, request_id=f.request_id, start=f.start,
            end=f.end, outliers_only=f.outliers_only, features=f.conditions, page_size=f.page_size,
            page_token=f.page_token, sort=f.sort, life=life,
        )
    )  # fmt: skip
    return {
        "requests": [hit_view(hit) for hit in page.hits],
        "total": page.total,
        "nextPageToken": page.next_page_token,
    }


@router.get("/requests", summary="Search logged requests of any deployment")
async def search_requests(
    service: LoggerService, filters: Filters, namespace: str | None = None, name: str | None = None
) -> dict[str, Any]:
    return await _search(service, namespace=namespace, name=name, filters=filters)


@router.get(
    "/namespaces/{namespace}/seldondeployments/{name}/requests",
    summary="Search the logged requests of one deployment (seldondeployments)",
    name="seldondeployments_requests",
)
async def seldon_deployment_requests(
    service: LoggerService, namespace: NamespaceName, name: SeldonDeploymentName, filters: Filters
) -> dict[str, Any]:
    return await _search(service, namespace=namespace, name=name, filters=filters)


@router.get(
    "/namespaces/{namespace}/inferenceservices/{name}/requests",
    summary="Search the logged requests of one deployment (inferenceservices)",
    name="inferenceservices_requests",
)
async def inference_service_requests(
    service: LoggerService, namespace: NamespaceName, name: InferenceServiceName, filters: Filters
) -> dict[str, Any]:
    return await _search(service, namespace=namespace, name=name, filters=filters)
