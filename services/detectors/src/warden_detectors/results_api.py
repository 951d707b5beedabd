"""What the result routes of drift detectors (timeline) and metrics servers (metrics) share.

Both answer `GET {SERVICE_API_PREFIX}/namespaces/{namespace}/{plural}/{name}/monitor/{segment}/{detectorName}/{tail}`
for both deployment kinds, read a store the lifespan put on `app.state`, take a `start`/`end` range, answer in
camelCase, and are 404 for a detector the configs repository does not know (so a typo is not an empty answer).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from warden_common.api_docs import error_responses
from warden_common.errors import BadRequest, NotFound
from warden_common.events.deployments import DeploymentKind
from warden_common.names import DEPLOYMENT_NAMES, DetectorName, NamespaceName, with_param_types
from warden_common.service_app import app_state
from warden_common.upstreams import SERVICE_API_PREFIX
from warden_detectors.configs.model import KIND_PATHS, PLURAL_KINDS, DeploymentRef, DetectorKey, KindName
from warden_detectors.configs.repository import DetectorConfigRepository


class CamelModel(BaseModel):
    """An answer model whose fields are camelCase on the wire (as the request search answers)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, serialize_by_alias=True)


def utc(value: datetime | None) -> datetime | None:
    """A query time as aware UTC (a naive time is read as UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


class TimeRange:
    """The `start` (inclusive) and `end` (exclusive) query parameters, RFC 3339; a dependency."""

    def __init__(
        self,
        start: Annotated[
            datetime | None, Query(description="From this time (RFC 3339; naive is UTC), inclusive")
        ] = None,
        end: Annotated[
            datetime | None, Query(description="Until this time (RFC 3339; naive is UTC), exclusive")
        ] = None,
    ) -> None:
        self.start, self.end = utc(start), utc(end)
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise BadRequest("end must be after start", details={"param": "end"})


Read = Callable[[Request, DetectorKey, Any], Awaitable[Any]]
"""`(request, detector, query) -> answer`: what one result route reads, for a detector known to exist."""


def _endpoint(deployment_kind: str, kind: KindName, read: Read) -> Callable[..., Awaitable[Any]]:
    async def endpoint(
        request: Request, namespace: NamespaceName, name: str, detectorName: DetectorName, query: Any
    ) -> Any:
        repository = cast(DetectorConfigRepository, app_state(request, "detector_repository", "detector configs"))
        key = DetectorKey(DeploymentRef(namespace, deployment_kind, name), kind, detectorName)
        if await repository.get(key) is None:
            raise NotFound(f"no {key}")
        return await read(request, key, query)

    return endpoint


def add_result_routes(
    router: APIRouter,
    *,
    kind: KindName,
    tail: str,
    read: Read,
    query: type,
    response_model: type[BaseModel],
    example: dict[str, Any],
    summary: str,
    name: str,
) -> None:
    """`GET .../monitor/{segment of kind}/{detectorName}/{tail}` for both deployment kinds."""
    segment = next(s for s, k in KIND_PATHS.items() if k == kind)
    for plural, deployment_kind in PLURAL_KINDS.items():
        router.add_api_route(
            f"{SERVICE_API_PREFIX}/namespaces/{{namespace}}/{plural}/{{name}}/monitor/{segment}/{{detectorName}}/{tail}",
            with_param_types(
                _endpoint(deployment_kind, kind, read),
                name=DEPLOYMENT_NAMES[deployment_kind],
                query=Annotated[query, Depends()],
            ),
            methods=["GET"],
            response_model=response_model,
            summary=f"{summary} ({deployment_kind})",
            name=f"{plural}_{name}",
            responses={
                200: {"content": {"application/json": {"example": example}}},
                **error_responses(400, 404, 503),
            },
        )


def deployment_kind(key: DetectorKey) -> DeploymentKind:
    return cast(DeploymentKind, key.deployment.kind)
