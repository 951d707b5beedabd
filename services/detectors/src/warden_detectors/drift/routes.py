"""`GET {base}/monitor/drift-detector/{detectorName}/timeline`: a drift detector's windows in time order.

`start` (inclusive) and `end` (exclusive), RFC 3339, select windows by the time they closed (naive times are
UTC); `pageSize` and the `nextPageToken` of the previous page page through them, oldest first, as the request
search does. The store is `app.state.drift_results` (a `DriftResultsStore`, set by the service's lifespan).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from warden_common.api_docs import error_responses
from warden_common.errors import BadRequest, ServiceUnavailable
from warden_common.events.deployments import DeploymentKind
from warden_common.names import (
    InferenceServiceName,
    NamespaceName,
    SeldonDeploymentName,
    dns1123_label_problem,
    with_param_types,
)
from warden_detectors.drift.result import DriftResult
from warden_detectors.drift.store import DriftResultsStore


def _detector_name(value: str) -> str:
    problem = dns1123_label_problem(value)
    if problem is not None:
        raise PydanticCustomError("detector_name", problem)
    return value


DetectorName = Annotated[
    str,
    Path(
        alias="detectorName",
        description="Detector name: a DNS-1123 label (lower case letters, digits, '-'; at most 63).",
    ),
    AfterValidator(_detector_name),
]


class _Camel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, serialize_by_alias=True)


class FeatureDrift(_Camel):
    index: int = Field(description="Column of the feature in the request rows")
    name: str | None = Field(None, description="Feature name, when the detector's config gives feature_names")
    p_value: float = Field(description="p-value of this feature's test")
    distance: float | None = Field(None, description="Test statistic (KS / CVM distance, chi-square statistic)")
    is_drift: bool | None = Field(None, description="Feature-wise detectors: drift in this feature at p_val")


class TimelineWindow(_Camel):
    window_start: datetime
    window_end: datetime
    rows: int = Field(description="Rows the window held")
    algorithm: str = Field(description="The alibi-detect detector that tested the window")
    drift_type: str = Field(description="`batch` (one answer per window) or `feature` (also one per feature)")
    skipped: str | None = Field(None, description="Why the window was not tested (then no scores)")
    is_drift: bool | None = Field(None, description="The window's answer, corrected over features")
    threshold: float | list[float] | None = Field(None, description="p-value threshold of isDrift")
    p_value: float | None = Field(None, description="The window's p-value, for tests over all features (MMD)")
    distance: float | None = Field(None, description="The window's distance, for tests over all features (MMD)")
    distance_threshold: float | None = None
    feature_threshold: float | None = Field(None, description="Feature-wise detectors: p-value threshold per feature")
    features: list[FeatureDrift] = Field(default_factory=list, description="Per-feature p-values and distances")


class DriftTimeline(_Camel):
    windows: list[TimelineWindow]
    next_page_token: str | None = Field(None, description="Pass as pageToken for the next page; null on the last")


def window_view(result: DriftResult) -> TimelineWindow:
    return TimelineWindow(
        window_start=result.window_start,
        window_end=result.window_end,
        rows=result.rows,
        algorithm=result.algorithm,
        drift_type=result.drift_type,
        skipped=result.skipped,
        is_drift=result.is_drift,
        threshold=result.threshold,
        p_value=result.p_val if isinstance(result.p_val, float) else None,
        distance=result.distance if isinstance(result.distance, float) else None,
        distance_threshold=result.distance_threshold,
        feature_threshold=result.feature_threshold,
        features=[
            FeatureDrift(index=f["index"], name=f["name"], p_value=f["p_val"], distance=f["distance"],
                         is_drift=f.get("is_drift"))
            for f in result.per_feature()
        ],
    )  # fmt: skip


def _store(request: Request) -> DriftResultsStore:
    store: DriftResultsStore | None = getattr(request.app.state, "drift_results", None)
    if store is None:
        raise ServiceUnavailable("the detectors service is starting: drift results are not available yet")
    return store


Store = Annotated[DriftResultsStore, Depends(_store)]


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


class TimelineQuery:
    """The query parameters of the timeline (a dependency, so both deployment kinds declare them once)."""

    def __init__(
        self,
        start: Annotated[datetime | None, Query(description="Windows closed at or after this time")] = None,
        end: Annotated[datetime | None, Query(description="Windows closed before this time")] = None,
        page_size: Annotated[int, Query(alias="pageSize", ge=1, le=500)] = 100,
        page_token: Annotated[str | None, Query(alias="pageToken")] = None,
    ) -> None:
        self.start, self.end = _utc(start), _utc(end)
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise BadRequest("end must be after start", details={"param": "end"})
        self.page_size, self.page_token = page_size, page_token


TimelineParams = Annotated[TimelineQuery, Depends()]

router = APIRouter(prefix="/api/v1alpha1", tags=["drift detectors"], responses=error_responses(400, 503))

_KINDS: dict[str, tuple[DeploymentKind, Any]] = {
    "seldondeployments": ("SeldonDeployment", SeldonDeploymentName),
    "inferenceservices": ("InferenceService", InferenceServiceName),
}


def _timeline_route(kind: DeploymentKind) -> Any:
    async def timeline(
        store: Store, namespace: NamespaceName, name: str, detector_name: DetectorName, query: TimelineParams
    ) -> DriftTimeline:
        page = await store.timeline(
            namespace, kind, name, detector_name,
            start=query.start, end=query.end, page_size=query.page_size, page_token=query.page_token,
        )  # fmt: skip
        return DriftTimeline(windows=[window_view(w) for w in page.windows], next_page_token=page.next_page_token)

    return timeline


for _plural, (_kind, _name_type) in _KINDS.items():
    router.add_api_route(
        f"/namespaces/{{namespace}}/{_plural}/{{name}}/monitor/drift-detector/{{detectorName}}/timeline",
        with_param_types(_timeline_route(_kind), name=_name_type),
        methods=["GET"],
        response_model=DriftTimeline,
        summary=f"The drift windows of one drift detector ({_plural}), oldest first",
        name=f"{_plural}_drift_timeline",
    )
