"""`GET {base}/monitor/drift-detector/{detectorName}/timeline`: a drift detector's windows in time order.

`start` (inclusive) and `end` (exclusive), RFC 3339, select windows by the time they closed (naive times are
UTC); `pageSize` and the `nextPageToken` of the previous page page through them, oldest first, as the request
search does. The store is `app.state.drift_results` (a `DriftResultsStore`, set by the service's lifespan).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import Field

from warden_common.service_app import app_state
from warden_detectors.configs.model import DetectorKey
from warden_detectors.drift.result import DriftResult
from warden_detectors.drift.store import DriftResultsStore
from warden_detectors.results_api import CamelModel, TimeRange, add_result_routes, deployment_kind


class FeatureDrift(CamelModel):
    index: int = Field(description="Column of the feature in the request rows")
    name: str | None = Field(None, description="Feature name, when the detector's config gives feature_names")
    p_value: float = Field(description="p-value of this feature's test")
    distance: float | None = Field(None, description="Test statistic (KS / CVM distance, chi-square statistic)")
    is_drift: bool | None = Field(None, description="Feature-wise detectors: drift in this feature at p_val")


class TimelineWindow(CamelModel):
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


class DriftTimeline(CamelModel):
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


TIMELINE_EXAMPLE: dict[str, Any] = {
    "windows": [
        {
            "windowStart": "2026-03-01T09:00:00Z", "windowEnd": "2026-03-01T09:01:00Z", "rows": 300,
            "algorithm": "KSDrift", "driftType": "feature", "skipped": None, "isDrift": True, "threshold": 0.025,
            "pValue": None, "distance": None, "distanceThreshold": None, "featureThreshold": 0.025,
            "features": [
                {"index": 0, "name": "Age", "pValue": 0.61, "distance": 0.04, "isDrift": False},
                {"index": 1, "name": "Hours", "pValue": 1.2e-30, "distance": 0.38, "isDrift": True},
            ],
        }
    ],
    "nextPageToken": None,
}  # fmt: skip


class TimelineQuery(TimeRange):
    """`start`/`end` select windows by the time they closed; `pageSize` and `pageToken` page through them."""

    def __init__(
        self,
        start: Annotated[datetime | None, Query(description="Windows closed at or after this time")] = None,
        end: Annotated[datetime | None, Query(description="Windows closed before this time")] = None,
        page_size: Annotated[int, Query(alias="pageSize", ge=1, le=500)] = 100,
        page_token: Annotated[str | None, Query(alias="pageToken")] = None,
    ) -> None:
        super().__init__(start, end)
        self.page_size, self.page_token = page_size, page_token


async def _timeline(request: Request, key: DetectorKey, query: TimelineQuery) -> DriftTimeline:
    store: DriftResultsStore = app_state(request, "drift_results", "drift results are")
    d = key.deployment
    page = await store.timeline(
        d.namespace, deployment_kind(key), d.name, key.name,
        start=query.start, end=query.end, page_size=query.page_size, page_token=query.page_token,
    )  # fmt: skip
    return DriftTimeline(windows=[window_view(w) for w in page.windows], next_page_token=page.next_page_token)


router = APIRouter(tags=["drift detectors"])
add_result_routes(
    router, kind="drift", tail="timeline", read=_timeline, query=TimelineQuery, response_model=DriftTimeline,
    example=TIMELINE_EXAMPLE, summary="The drift windows of one drift detector, oldest first", name="drift_timeline",
)  # fmt: skip
