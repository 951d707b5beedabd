"""Drift results in a real PostgreSQL (migration 0002) and the timeline route over them, paged."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import numpy as np
import pytest
from fastapi import FastAPI

from warden_common.errors import install_error_handlers
from warden_detectors.drift import DriftMonitor, DriftResult, DriftResultsStore, DriftSpec
from warden_detectors.drift.routes import router

from .conftest import results_route_client

pytestmark = pytest.mark.integration

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
BASE = "/api/v1alpha1/namespaces/seldon/seldondeployments/income/monitor/drift-detector"


@dataclass
class Harness:
    store: DriftResultsStore
    client: httpx.AsyncClient


@pytest.fixture
async def harness(fresh_database: str) -> AsyncIterator[Harness]:
    async with results_route_client(
        fresh_database, router, "drift", "income", "income-drift", drift_results=DriftResultsStore
    ) as (pool, client):
        yield Harness(DriftResultsStore(pool), client)


def _windows() -> list[DriftResult]:
    """Five real windows of one minute each: three from the reference distribution, two shifted, one skipped."""
    rng = np.random.default_rng(2)  # a seed whose reference windows are not among the 5% false alarms
    spec = DriftSpec(window_seconds=60, drift_type_feature=True, feature_names=["Age", "Hours"], min_window_rows=5)
    monitor = DriftMonitor(spec, rng.normal(size=(2000, 2)), None, "income-drift")
    results: list[DriftResult] = []
    for minute in range(5):
        rows = rng.normal(size=(300, 2)) + (np.array([0.0, 1.0]) if minute >= 3 else 0.0)
        results += monitor.add(rows, T0 + timedelta(minutes=minute, seconds=10))
    results += monitor.tick(T0 + timedelta(minutes=5))
    monitor.add(rng.normal(size=(2, 2)), T0 + timedelta(minutes=5, seconds=30))
    results += monitor.tick(T0 + timedelta(minutes=6))
    return results


async def _save_all(store: DriftResultsStore) -> list[DriftResult]:
    results = _windows()
    for result in reversed(results):  # stored out of order: the timeline orders them
        await store.save("seldon", "SeldonDeployment", "income", "income-drift", result)
    # Same detector name elsewhere: never mixed in.
    await store.save("seldon", "InferenceService", "income", "income-drift", results[0])
    await store.save("other", "SeldonDeployment", "income", "income-drift", results[0])
    return results


async def test_store_round_trips_results(harness: Harness) -> None:
    results = await _save_all(harness.store)
    page = await harness.store.timeline("seldon", "SeldonDeployment", "income", "income-drift")
    assert page.next_page_token is None
    assert page.windows == results  # every field back as saved
    assert [w.is_drift for w in page.windows] == [False, False, False, True, True, None]
    assert page.windows[-1].skipped == "2 row(s) in the window, fewer than the 5 needed to test"
    other = await harness.store.timeline("seldon", "InferenceService", "income", "income-drift")
    assert len(other.windows) == 1
    assert await harness.store.delete("seldon", "SeldonDeployment", "income", "income-drift") == 6


async def test_timeline_route_pages_in_time_order(harness: Harness) -> None:
    await _save_all(harness.store)
    seen: list[dict[str, Any]] = []
    token: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"pageSize": 2, **({"pageToken": token} if token else {})}
        response = await harness.client.get(f"{BASE}/income-drift/timeline", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        seen += body["windows"]
        pages += 1
        token = body["nextPageToken"]
        if token is None:
            break
    assert pages == 3 and len(seen) == 6
    ends = [w["windowEnd"] for w in seen]
    assert ends == sorted(ends) and ends[0] == "2026-03-01T09:01:00Z"
    shifted = seen[3]
    assert (shifted["isDrift"], shifted["rows"], shifted["driftType"], shifted["algorithm"]) == (
        True,
        300,
        "feature",
        "KSDrift",
    )
    assert [f["name"] for f in shifted["features"]] == ["Age", "Hours"]
    assert [f["isDrift"] for f in shifted["features"]] == [False, True]
    assert shifted["features"][1]["pValue"] < 1e-6 and 0 < shifted["features"][1]["distance"] < 1
    assert shifted["threshold"] == 0.025 and shifted["featureThreshold"] == 0.05
    assert seen[-1]["skipped"].startswith("2 row(s)") and seen[-1]["features"] == []


async def test_timeline_time_range_is_start_inclusive_end_exclusive(harness: Harness) -> None:
    await _save_all(harness.store)
    params = {"start": "2026-03-01T09:02:00Z", "end": "2026-03-01T10:04:00+01:00"}
    response = await harness.client.get(f"{BASE}/income-drift/timeline", params=params)
    assert response.status_code == 200, response.text
    assert [w["windowEnd"] for w in response.json()["windows"]] == ["2026-03-01T09:02:00Z", "2026-03-01T09:03:00Z"]
    isvc = "/api/v1alpha1/namespaces/seldon/inferenceservices/income/monitor/drift-detector/income-drift/timeline"
    assert len((await harness.client.get(isvc)).json()["windows"]) == 1
    unknown = await harness.client.get(f"{BASE}/no-such-detector/timeline")
    assert unknown.status_code == 404 and "no drift detector no-such-detector" in unknown.json()["message"]


@pytest.mark.parametrize(
    ("path", "params", "status", "says"),
    [
        ("income-drift", {"pageToken": "not-a-token"}, 400, "pageToken 'not-a-token' is not a token this API returned"),
        ("income-drift", {"pageToken": "WyJ4Il0"}, 400, "is not a token this API returned"),
        (
            "income-drift",
            {"start": "2026-03-01T10:00:00Z", "end": "2026-03-01T09:00:00Z"},
            400,
            "end must be after start",
        ),
        ("income-drift", {"start": "yesterday"}, 422, "query.start"),
        ("income-drift", {"pageSize": 0}, 422, "query.pageSize"),
        ("Bad_Name", {}, 422, "path.detectorName: must consist of lower case letters"),
    ],
)
async def test_timeline_bad_requests_are_clear(
    harness: Harness, path: str, params: dict[str, Any], status: int, says: str
) -> None:
    response = await harness.client.get(f"{BASE}/{path}/timeline", params=params)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == status and says in body["message"]


async def test_timeline_without_a_store_is_unavailable() -> None:
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(router)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://detectors") as client:
        response = await client.get(f"{BASE}/income-drift/timeline")
    assert response.status_code == 503 and response.json()["reason"] == "unavailable"
