"""Request log search: one deployment (`{base}/requests`) or any logged traffic (`/requests`).

Filters: time range (`start` inclusive, `end` exclusive, RFC 3339), `endpoint` (default / canary / shadow / any
predictor name), `requestId`, `outliersOnly`, feature conditions `feature=<name>:<op>:<value>` on request
elements and `output=<name>:<op>:<value>` on response elements (op: eq, ne, gt, gte, lt, lte; grouped PROBA /
ONE_HOT values as `<group>.<category>`). Paging with `pageSize` and the `nextPageToken` of the previous page;
`sort=desc` (newest first, default) or `asc`.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from warden_common.errors import BadRequest
from warden_common.logstore import FeatureFilter, LogQuery
from warden_request_logger.api.deps import LoggerService
from warden_request_logger.api.views import hit_view

router = APIRouter(prefix="/api/v1alpha1", tags=["request logs"])

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


async def _search(
    service: LoggerService,
    *,
    namespace: str | None,
    name: str | None,
    endpoint: str | None,
    request_id: str | None,
    start: datetime | None,
    end: datetime | None,
    outliers_only: bool,
    feature: list[str],
    output: list[str],
    page_size: int,
    page_token: str | None,
    sort: Literal["asc", "desc"],
) -> dict[str, Any]:
    if name is not None and namespace is None:
        raise BadRequest("name needs namespace: deployment names are unique only within a namespace",
                         details={"param": "namespace"})  # fmt: skip
    if start is not None and end is not None and end <= start:
        raise BadRequest("end must be after start", details={"param": "end"})
    filters = [parse_condition(f, "request", "feature") for f in feature]
    filters += [parse_condition(f, "response", "output") for f in output]
    page = await service.search(
        LogQuery(
            namespace=namespace, deployment=name, endpoint=endpoint, request_id=request_id, start=start, end=end,
            outliers_only=outliers_only, features=filters, page_size=page_size, page_token=page_token, sort=sort,
        )
    )  # fmt: skip
    return {
        "requests": [hit_view(hit) for hit in page.hits],
        "total": page.total,
        "nextPageToken": page.next_page_token,
    }


PageSize = Annotated[int, Query(alias="pageSize", ge=1, le=500)]
Feature = Annotated[list[str], Query(description="<name>:<op>:<value> on request elements")]
Output = Annotated[list[str], Query(description="<name>:<op>:<value> on response elements")]


@router.get("/requests", summary="Search logged requests of any deployment")
async def search_requests(
    service: LoggerService,
    namespace: str | None = None,
    name: str | None = None,
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
) -> dict[str, Any]:
    return await _search(
        service, namespace=namespace, name=name, endpoint=endpoint, request_id=request_id, start=start, end=end,
        outliers_only=outliers_only, feature=feature, output=output, page_size=page_size, page_token=page_token,
        sort=sort,
    )  # fmt: skip


async def _deployment_requests(
    service: LoggerService,
    namespace: str,
    name: str,
    endpoint: str | None = None,
    request_id: Annotated[str | None, Query(alias="requestId")] = None,
    start: datetime | None = None,
    end: datetime | None = None,
    outliers_only: Annotated[bool, Query(alias="outliersOnly")] = False,
    feature: Feature = [],  # noqa: B006
    output: Output = [],  # noqa: B006
    page_size: PageSize = 20,
    page_token: Annotated[str | None, Query(alias="pageToken")] = None,
    sort: Literal["asc", "desc"] = "desc",
) -> dict[str, Any]:
    return await _search(
        service, namespace=namespace, name=name, endpoint=endpoint, request_id=request_id, start=start, end=end,
        outliers_only=outliers_only, feature=feature, output=output, page_size=page_size, page_token=page_token,
        sort=sort,
    )  # fmt: skip


for _kind in ("seldondeployments", "inferenceservices"):
    router.add_api_route(
        f"/namespaces/{{namespace}}/{_kind}/{{name}}/requests",
        _deployment_requests,
        methods=["GET"],
        summary=f"Search the logged requests of one deployment ({_kind})",
        name=f"{_kind}_requests",
    )
