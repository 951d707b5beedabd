"""Monitoring through the web UI (issue 16; seed §4.1 request and distribution monitoring, §4.1.4.2 load test, the
"make a prediction" dialog) against a real `warden up` with auth on: iris with an xgboost canary at 25 %; in the UI
(`ui/e2e/monitor.mjs`, Debian's chromium) the dashboard's widgets, a prediction with its response and curl command,
a load test with its results and a second one deleted, then the Monitor tab with default and canary request metrics
side by side and a feature distribution. axe-core runs on the dashboard, Predict, Load tests and Monitor screens.
The figures the UI showed are then checked against the API.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from .iris_demo import AVAILABLE_WITHIN_S, DEPLOYMENT, iris, wait_until
from .ui_browser import run_ui_script

LOAD_REQUESTS = 200  # e2e/monitor.mjs's first load test


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def test_prediction_load_test_and_monitor_through_the_ui(
    warden: str, api_headers: dict[str, str], demo_models: dict[str, str], tmp_path: Path
) -> None:
    with httpx.Client(base_url=warden, headers=api_headers, timeout=30) as client:
        created = client.post(DEPLOYMENT.rsplit("/", 1)[0], json=iris(demo_models["iris-sklearn"]))
        assert created.status_code == 201, created.text
        canary = {"modelUri": demo_models["iris-xgboost"], "implementation": "XGBOOST_SERVER", "traffic": 25}
        added = client.post(f"{DEPLOYMENT}/canary", json=canary)
        assert added.status_code == 200, added.text
        wait_until(
            "iris Available",
            lambda: client.get(DEPLOYMENT).json().get("status", {}).get("state") == "Available",
            AVAILABLE_WITHIN_S,
        )

        report = run_ui_script("monitor.mjs", warden, tmp_path, timeout=300)

        assert set(report["axe"]) == {"dashboard", "predict", "loadtests", "monitor"}
        assert len(report["screenshots"]) == 4 and all(Path(s).stat().st_size > 0 for s in report["screenshots"])
        # The model's answer to the UI's prediction: three class probabilities; curl targets the public data plane.
        probabilities = report["prediction"]["data"]["ndarray"][0]
        assert len(probabilities) == 3 and abs(sum(probabilities) - 1) < 1e-6
        assert report["curl"].startswith("curl ")
        assert f"{warden}/seldon/seldon/iris/api/v1.0/predictions" in report["curl"]

        # The load test's figures as shown are the API's; the deleted one is gone.
        jobs = client.get(f"{DEPLOYMENT}/loadtestjobs").json()["jobs"]
        assert [job["jobName"] for job in jobs] == [report["loadTest"]["job"]]
        result = jobs[0]["result"]
        row = report["loadTest"]["row"]
        assert (row[1], _number(report["loadTest"]["requests"])) == ("Succeeded", result["requests"])
        assert result["requests"] == LOAD_REQUESTS and _number(row[4]) == result["failed"]
        assert report["deleted"] != report["loadTest"]["job"]

        # Default and canary side by side with non-zero rates; at least what the API counted up to then.
        shown = {r[0]: r for r in report["requestMetrics"]}
        assert {"default", "canary"} <= set(shown)
        assert all(_number(shown[p][2]) > 0 for p in ("default", "canary"))
        assert sum(_number(r[1]) for r in shown.values()) > LOAD_REQUESTS
        metrics = client.get(f"{DEPLOYMENT}/monitor/requests").json()
        api_totals = {p["predictor"]: p["total"]["requests"] for p in metrics["predictors"]}
        assert all(api_totals[p] >= _number(shown[p][1]) for p in ("default", "canary")), (api_totals, shown)

        # The feature distribution of the UI's prediction (load test traffic is left out of distributions).
        expected = "0 (REAL, request): 1 instance · min 6.4 · max 6.4 · mean 6.4"
        assert report["distribution"] == expected, report["distribution"]
