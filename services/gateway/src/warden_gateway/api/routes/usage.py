"""Usage monitoring: `GET /usage` (every namespace; administrators), `GET /namespaces/{ns}/usage` and
`GET {base}/usage`, each over `start` .. `end` (RFC 3339; default the last hour) in `step` buckets (seconds, or
e.g. `30s`, `5m`; default 60 s): per deployment the mean processes, CPU cores and resident memory of its serving
processes, and averages over the range (Seldon Deploy's "Average Containers / CPU / Memory")."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from warden_common.api_docs import error_responses, json_response
from warden_common.errors import BadRequest
from warden_common.names import DEPLOYMENT_NAMES, NamespaceName, with_param_types
from warden_gateway.api.deps import deployments
from warden_gateway.api.deps import usage as usage_service
from warden_gateway.api.routes.forwarded import PUBLIC_API_PREFIX
from warden_gateway.deployments.kinds import KINDS, DeploymentKind
from warden_gateway.deployments.service import DeploymentService
from warden_gateway.usage.service import UsageService

_STEP = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*$")
_UNIT_S = {"s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}
MAX_POINTS = 11_000  # per series, as Prometheus' range queries allow
_EXAMPLE = {
    "start": "2026-01-05T10:00:00Z", "end": "2026-01-05T10:02:00Z", "step": 60.0,
    "summary": {"averageProcesses": 2.0, "averageCpuCores": 0.031, "averageMemoryBytes": 301989888},
    "series": [{"namespace": "seldon", "kind": "seldondeployments", "deployment": "iris", "points": [
        {"time": "2026-01-05T10:00:00Z", "processes": 2.0, "cpuCores": 0.012, "memoryBytes": 301465600},
        {"time": "2026-01-05T10:01:00Z", "processes": 2.0, "cpuCores": 0.05, "memoryBytes": 302514176}]}],
}  # fmt: skip
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: json_response({"type": "object"}, _EXAMPLE, "Usage per deployment over time"),
    **error_responses(400, 503),
}


class UsageRange:
    """The `start`, `end` and `step` query parameters, checked (a FastAPI dependency)."""

    def __init__(
        self,
        start: Annotated[datetime | None, Query(description="Range start (RFC 3339); default end - 1 h")] = None,
        end: Annotated[datetime | None, Query(description="Range end (RFC 3339, exclusive); default now")] = None,
        step: Annotated[str, Query(description="Bucket width: seconds, or e.g. `30s`, `5m`, `1h`")] = "60",
    ) -> None:
        self.end = _aware(end, "end") if end is not None else datetime.now(UTC)
        self.start = _aware(start, "start") if start is not None else self.end - timedelta(hours=1)
        if self.end <= self.start:
            raise BadRequest("end must be after start", details={"param": "end"})
        match = _STEP.match(step)
        if match is None or float(match[1]) <= 0:
            raise BadRequest(f"step must be a positive number of seconds (or e.g. '30s', '5m'), got {step!r}",
                             details={"param": "step"})  # fmt: skip
        self.step_s = float(match[1]) * _UNIT_S[match[2]]
        if (self.end - self.start).total_seconds() / self.step_s > MAX_POINTS:
            raise BadRequest(f"start..end / step gives more than {MAX_POINTS} points: use a larger step",
                             details={"param": "step"})  # fmt: skip


def _aware(moment: datetime, param: str) -> datetime:
    if moment.tzinfo is None:
        raise BadRequest(f"{param} needs a time zone (e.g. 2026-01-05T10:00:00Z)", details={"param": param})
    return moment


Usage = Annotated[UsageService, Depends(usage_service)]
Range = Annotated[UsageRange, Depends()]


def _add_kind_route(router: APIRouter, kind: DeploymentKind) -> None:
    async def deployment_usage(
        namespace: NamespaceName,
        name: str,
        window: Range,
        usage: Usage,
        service: Annotated[DeploymentService, Depends(deployments)],
    ) -> dict[str, Any]:
        await service.exists(kind, namespace, name)
        return await usage.query(start=window.start, end=window.end, step_s=window.step_s, namespace=namespace,
                                 kind=kind.plural, deployment=name)  # fmt: skip

    deployment_usage.__name__ = f"usage_{kind.plural}"
    tag: list[str | Enum] = ["usage"]
    router.add_api_route(
        f"/namespaces/{{namespace}}/{kind.plural}/{{name}}/usage",
        with_param_types(deployment_usage, name=DEPLOYMENT_NAMES[kind.kind]), methods=["GET"], tags=tag,
        summary="CPU, memory and processes of the deployment's serving processes over time",
        responses={**_RESPONSES, **error_responses(404)},
    )  # fmt: skip


def usage_router() -> APIRouter:
    router = APIRouter(prefix=PUBLIC_API_PREFIX)

    @router.get("/usage", tags=["usage"], responses=_RESPONSES,
                summary="CPU, memory and processes of every deployment over time (administrators)")  # fmt: skip
    async def all_usage(window: Range, usage: Usage) -> dict[str, Any]:
        return await usage.query(start=window.start, end=window.end, step_s=window.step_s)

    @router.get("/namespaces/{namespace}/usage", tags=["usage"], responses=_RESPONSES,
                summary="CPU, memory and processes of the namespace's deployments over time")  # fmt: skip
    async def namespace_usage(namespace: NamespaceName, window: Range, usage: Usage) -> dict[str, Any]:
        return await usage.query(start=window.start, end=window.end, step_s=window.step_s, namespace=namespace)

    for kind in KINDS.values():
        _add_kind_route(router, kind)
    return router
