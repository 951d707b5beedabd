"""A recreated deployment starts with a clean log, end to end: `warden up`, a real model, the public API only; its
request monitoring (Warden's own store in standalone) counts the name's traffic across lives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from .iris_demo import API, AVAILABLE_WITHIN_S, DEPLOYMENT, iris, wait_until

pytestmark = pytest.mark.integration

LOGGED_WITHIN_S = 30
MONITORED_WITHIN_S = 40  # request rollups of 10 s windows are written every 10 s


def create_and_predict(client: httpx.Client, model_uri: str) -> tuple[str, str]:
    """Create `iris`, wait until it serves, predict once; (its uid, the prediction's puid)."""
    created = client.post(f"{API}/namespaces/seldon/seldondeployments", json=iris(model_uri))
    assert created.status_code == 201, created.text
    wait_until("iris Available", lambda: client.get(DEPLOYMENT).json()["status"].get("state") == "Available",
               AVAILABLE_WITHIN_S)  # fmt: skip
    answer = client.post("/seldon/seldon/iris/api/v1.0/predictions", json={"data": {"ndarray": [[5.1, 3.5, 1.4, 0.2]]}})
    assert answer.status_code == 200, answer.text
    return created.json()["metadata"]["uid"], answer.headers["Seldon-Puid"]


def logged(client: httpx.Client, **params: Any) -> set[str]:
    page = client.get(f"{DEPLOYMENT}/requests", params=params)
    assert page.status_code == 200, page.text
    return {hit["requestId"] for hit in page.json()["requests"]}


def default_total(client: httpx.Client, expected: int) -> dict[str, Any] | None:
    """The `default` predictor's total over the last 10 minutes from `monitor/requests`, once it has `expected`."""
    end = datetime.now(UTC) + timedelta(seconds=10)
    params = {"start": (end - timedelta(minutes=10)).isoformat(), "end": end.isoformat(), "step": "10"}
    page = client.get(f"{DEPLOYMENT}/monitor/requests", params=params)
    assert page.status_code == 200, page.text
    assert page.json()["source"] == "warden"
    totals = [p["total"] for p in page.json()["predictors"] if p["predictor"] == "default"]
    return dict(totals[0]) if totals and totals[0]["requests"] == expected else None


def test_a_recreated_deployment_starts_with_a_clean_log_and_the_old_one_stays_reachable(
    demo_models: dict[str, str], warden: str, api_headers: dict[str, str]
) -> None:
    with httpx.Client(base_url=warden, timeout=30, headers=api_headers) as client:
        first_uid, first_puid = create_and_predict(client, demo_models["iris-sklearn"])
        wait_until("the first prediction logged", lambda: logged(client) == {first_puid}, LOGGED_WITHIN_S)

        assert client.delete(DEPLOYMENT).status_code == 200
        wait_until("iris gone", lambda: client.get(DEPLOYMENT).status_code == 404, 10)
        second_uid, second_puid = create_and_predict(client, demo_models["iris-sklearn"])
        assert second_uid != first_uid

        wait_until("the second prediction logged", lambda: second_puid in logged(client), LOGGED_WITHIN_S)
        assert logged(client) == {second_puid}  # the default view: this deployment only
        assert logged(client, uid=first_uid) == {first_puid}  # the earlier one, asked for by its uid
        assert logged(client, allLives="true") == {first_puid, second_puid}
        # Request monitoring (no Prometheus in standalone: Warden's own store) counts by name, across both lives.
        total = wait_until("both predictions counted", lambda: default_total(client, 2), MONITORED_WITHIN_S)
        assert total["codes"] == {"200": 2} and total["failure"] == 0
        assert 0 < total["latencySeconds"]["p50"] <= total["latencySeconds"]["p99"] < 5
    # Auth is on: neither the log nor the model answers a caller who did not sign in.
    assert httpx.get(f"{warden}{DEPLOYMENT}/requests").status_code == 401
    assert httpx.get(f"{warden}{DEPLOYMENT}/monitor/requests").status_code == 401
    prediction = {"data": {"ndarray": [[5.1, 3.5, 1.4, 0.2]]}}
    assert httpx.post(f"{warden}/seldon/seldon/iris/api/v1.0/predictions", json=prediction).status_code == 401
