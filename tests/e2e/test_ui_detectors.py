"""Detectors configured through the web UI (issue 16; seed §5.1.6-5.1.8, chapter 4.1's outlier and drift screens)
against a real `warden up` with auth on and the iris demo model: in the UI (`ui/e2e/detectors.mjs`, Debian's
chromium) an outlier detector and a drift detector are created from the dashboard's widget and a metrics server from
the Monitor, all fitted on the iris data; the test then sends predictions with clear outliers, drifted batches and
feedback through the public API; the Monitor's outlier timeline, drift timeline and accuracy figures are checked
against the API's answers; the outlier detector is removed in the UI and the API no longer lists it.
"""

from __future__ import annotations

import re
import threading
import traceback
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from sklearn.datasets import load_iris

from .iris_demo import AVAILABLE_WITHIN_S, DEPLOYMENT, LOADED_WITHIN_S, PREDICT, iris, wait_until
from .test_drift_and_feedback_iris import DRIFT, FEEDBACK, METRICS, SETOSA, VERSICOLOR, onehot
from .test_outliers_iris import ABSURD
from .ui_browser import run_ui_script

pytestmark = pytest.mark.integration

OUTLIERS = f"{DEPLOYMENT}/monitor/outlier-detector"
NAMES = {OUTLIERS: "iris-outlier", DRIFT: "iris-drift", METRICS: "iris-metrics"}  # the dialogs' default names
WITHIN_S = 90
BATCH = 20  # the drift dialog's default batch size


def _percent(text: str) -> float:
    """A percentage as the UI writes it ("66.7 %", one decimal at most)."""
    assert text.endswith(" %"), text
    return float(text[:-2].replace(",", ""))


def _send_traffic(client: httpx.Client) -> dict[str, Any]:
    """Once the UI's three detectors are Loaded: two drifted windows, clear outliers, and feedback on two logged
    predictions plus one with its response (2 of 3 right); returns when the API counts all of it."""

    def loaded(url: str) -> bool:
        answer = client.get(url)
        return answer.status_code == 200 and answer.json()["status"]["state"] == "Loaded"

    for path, name in NAMES.items():  # the browser creates them one after the other, then they load
        url = f"{path}/{name}"
        wait_until(f"{url} created and Loaded in the UI", lambda url=url: loaded(url), LOADED_WITHIN_S + 120)
    puids: list[str] = []

    def predict(rows: Any) -> str:
        answer = client.post(PREDICT, json={"data": {"ndarray": np.asarray(rows).tolist()}})
        assert answer.status_code == 200, answer.text
        puids.append(answer.headers["Seldon-Puid"])
        return str(answer.headers["Seldon-Puid"])

    shifted = load_iris().data[::5][:BATCH] * [1.0, 1.0, 2.0, 2.0]  # every petal twice as long as in the reference
    for rows in (shifted[:10], shifted[10:], shifted[:10], shifted[10:]):
        predict(rows)
    for row in ABSURD:
        predict([row])
    feedback_puids = [predict([row]) for row in (SETOSA, VERSICOLOR)]

    def scored() -> bool:
        hits = client.get(f"{DEPLOYMENT}/requests", params={"pageSize": 100}).json()["requests"]
        return {h["requestId"] for h in hits if "outlier" in h and h.get("response")} >= set(puids)

    wait_until("every prediction logged with its response and outlier score", scored, WITHIN_S)
    windows = wait_until("two drift windows", lambda: len(w := client.get(f"{DRIFT}/iris-drift/timeline").json()
                                                               ["windows"]) == 2 and w, WITHIN_S)  # fmt: skip
    for puid, truth in zip(feedback_puids, (0, 2), strict=True):  # setosa right, versicolor called class 2
        sent = client.post(FEEDBACK, json={"truth": onehot(truth)}, headers={"Seldon-Puid": puid})
        assert sent.status_code == 200, sent.text
    sent = client.post(FEEDBACK, json={"response": {"data": {"ndarray": [[0.1, 0.2, 0.7]]}}, "truth": onehot(2)})
    assert sent.status_code == 200, sent.text
    wait_until("three feedback rows counted",
               lambda: client.get(f"{METRICS}/iris-metrics/metrics").json()["rows"] == 3, WITHIN_S)  # fmt: skip
    return {"windows": windows}


def test_detectors_created_in_the_ui_show_their_results_and_one_is_removed(
    warden: str, api_headers: dict[str, str], demo_models: dict[str, str], tmp_path: Path
) -> None:
    reference = tmp_path / "iris-reference.npy"
    np.save(reference, load_iris().data)
    done = tmp_path / "traffic-done"
    with httpx.Client(base_url=warden, headers=api_headers, timeout=30) as client:
        created = client.post(DEPLOYMENT.rsplit("/", 1)[0], json=iris(demo_models["iris-sklearn"]))
        assert created.status_code == 201, created.text
        wait_until("iris Available", lambda: client.get(DEPLOYMENT).json()["status"].get("state") == "Available",
                   AVAILABLE_WITHIN_S)  # fmt: skip

        # The traffic waits for the detectors the browser creates; the browser waits for `done` (ok, or why not).
        traffic: dict[str, Any] = {}

        def send() -> None:
            try:
                traffic.update(_send_traffic(client))
                done.write_text("ok")
            except BaseException:  # the browser stops waiting and says why; the assertion below fails too
                done.write_text(traceback.format_exc())
                raise

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        env = {"REFERENCE": str(reference), "TRAFFIC_DONE": str(done)}
        report = run_ui_script("detectors.mjs", warden, tmp_path, env=env, timeout=900)
        sender.join(timeout=60)
        assert done.read_text() == "ok", done.read_text()

        assert set(report["axe"]) == {
            "dashboard", "create-outlier-dialog", "create-drift-dialog", "create-metrics-dialog", "monitor",
            "remove-dialog",
        }  # fmt: skip
        assert all(Path(s).stat().st_size > 0 for s in report["screenshots"]) and len(report["screenshots"]) == 5
        # The server's refusal of a second iris-outlier, in words in the dialog.
        assert "iris-outlier" in report["serverError"] and "already exists" in report["serverError"]

        # What the UI created is what the dialogs said: fitted on the reference, the defaults kept.
        drift = client.get(f"{DRIFT}/iris-drift").json()["config"]
        assert drift["basic"]["reference_uri"] == str(reference) and drift["basic"]["drift_batch_size"] == BATCH
        assert drift["basic"]["p_val"] == 0.05 and drift["deployment"]["model_name"] == "iris"
        metrics_config = client.get(f"{METRICS}/iris-metrics").json()["config"]["basic"]
        assert (metrics_config["model_type"], metrics_config["classes"]) == ("multiclass_onehot", 3)

        print(f"UI figures: {report['outliers']!r}, {report['drift']!r}, accuracy {report['accuracy']!r}")
        # Outliers: the figure's counts are the API's over the same feature (all instances, and those flagged).
        shown = re.fullmatch(r"Outliers per time slice \((\d+) of (\d+) instances\)", report["outliers"])
        assert shown, report["outliers"]
        query = {"feature": "0", "interaction": "request", "parameters": {"number_of_time_buckets": 20}}
        api_all = client.post(f"{DEPLOYMENT}/monitor/featuredistributions", json=query).json()
        api_outliers = client.post(f"{DEPLOYMENT}/monitor/featuredistributions",
                                   json={**query, "filters": [{"is_outlier": True}]}).json()  # fmt: skip
        assert (int(shown[1]), int(shown[2])) == (api_outliers["total_instances"], api_all["total_instances"])
        assert int(shown[2]) == 2 * BATCH + len(ABSURD) + 2
        flagged = client.get(f"{DEPLOYMENT}/requests", params={"outliersOnly": "true", "pageSize": 100}).json()
        assert int(shown[1]) >= len(ABSURD) and len(flagged["requests"]) >= len(ABSURD)

        # Drift: the windows and drift flags shown are the timeline's.
        windows = client.get(f"{DRIFT}/iris-drift/timeline").json()["windows"]
        drifted = sum(w["isDrift"] for w in windows)
        latest = "drift" if windows[-1]["isDrift"] else "no drift"
        assert report["drift"] == f"{len(windows)} windows, {drifted} with drift; latest: {latest}"
        assert (len(windows), drifted) == (2, 2)

        # Accuracy: the rows shown are the metrics server's (percent with one decimal).
        metrics = client.get(f"{METRICS}/iris-metrics/metrics").json()
        table = {row[0]: row for row in report["accuracy"]}
        assert f"{metrics['rows']} feedback rows" in table and metrics["rows"] == 3
        assert table["Overall (micro)"][1] == "66.7 %"
        assert _percent(table["Overall (micro)"][1]) == pytest.approx(metrics["overall"]["accuracy"] * 100, abs=0.05)
        for c in metrics["classes"]:
            assert _percent(table[c["class"]][1]) == pytest.approx(c["accuracy"] * 100, abs=0.05), c

        # Removed in the UI: the API no longer lists it; the others stay.
        assert report["removed"] == "iris-outlier"
        assert client.get(OUTLIERS).json() == []
        assert client.get(f"{OUTLIERS}/iris-outlier").status_code == 404
        assert [d["name"] for d in client.get(DRIFT).json()] == ["iris-drift"]
