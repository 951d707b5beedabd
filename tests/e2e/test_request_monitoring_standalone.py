"""Request monitoring in standalone, end to end: `warden up` (no Prometheus anywhere), a real model, the public API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from .iris_demo import API, AVAILABLE_WITHIN_S, DEPLOYMENT, PREDICT, iris, wait_until

pytestmark = pytest.mark.integration

PREDICTIONS = 20
STORED_WITHIN_S = 40  # rollups of 10 s windows are written every 10 s


def test_monitor_requests_counts_the_predictions_from_wardens_own_store(
    demo_models: dict[str, str], warden: str, api_headers: dict[str, str]
) -> None:
    started = datetime.now(UTC) - timedelta(seconds=10)
    with httpx.Client(base_url=warden, timeout=30, headers=api_headers) as client:
        created = client.post(f"{API}/namespaces/seldon/seldondeployments", json=iris(demo_models["iris-sklearn"]))
        assert created.status_code == 201, created.text
        wait_until("iris Available", lambda: client.get(DEPLOYMENT).json()["status"].get("state") == "Available",
                   AVAILABLE_WITHIN_S)  # fmt: skip
        for _ in range(PREDICTIONS):
            answer = client.post(PREDICT, json={"data": {"ndarray": [[5.1, 3.5, 1.4, 0.2]]}})
            assert answer.status_code == 200, answer.text

        def default_total() -> dict[str, object] | None:
            end = datetime.now(UTC) + timedelta(seconds=10)
            params = {"start": started.isoformat(), "end": end.isoformat(), "step": "10"}
            page = client.get(f"{DEPLOYMENT}/monitor/requests", params=params)
            assert page.status_code == 200, page.text
            body = page.json()
            assert body["source"] == "warden"
            totals = [p["total"] for p in body["predictors"] if p["predictor"] == "default"]
            return totals[0] if totals and totals[0]["requests"] == PREDICTIONS else None

        total = wait_until("the predictions counted", default_total, STORED_WITHIN_S)
        assert total["codes"] == {"200": PREDICTIONS} and total["failure"] == 0
        assert 0 < total["latencySeconds"]["p50"] <= total["latencySeconds"]["p99"] < 5
    assert httpx.get(f"{warden}{DEPLOYMENT}/monitor/requests").status_code == 401  # auth is on
