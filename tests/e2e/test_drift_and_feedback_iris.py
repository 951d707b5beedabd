"""Drift detection and accuracy metrics end to end: `warden up`, the iris demo model served by MLServer, a KS drift
detector on the iris data and a one-hot metrics server. Shifted traffic drifts in every window of the timeline;
feedback with and without a response (the logged one, written by the request logger) is counted. Public API only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from sklearn.datasets import load_iris

from .iris_demo import API, AVAILABLE_WITHIN_S, DEPLOYMENT, LOADED_WITHIN_S, PREDICT, iris, wait_until

pytestmark = pytest.mark.integration

DRIFT = f"{DEPLOYMENT}/monitor/drift-detector"
METRICS = f"{DEPLOYMENT}/monitor/metrics-server"
FEEDBACK = "/seldon/seldon/iris/api/v1.0/feedback"
WITHIN_S = 60
SETOSA, VERSICOLOR = [5.0, 3.4, 1.5, 0.25], [5.9, 2.8, 4.3, 1.3]  # cluster centres: predicted class 0, class 1


def onehot(label: int) -> dict[str, Any]:
    return {"data": {"ndarray": [[float(label == c) for c in range(3)]]}}


def test_shifted_traffic_drifts_and_feedback_gives_accuracy(
    demo_models: dict[str, str], warden: str, api_headers: dict[str, str], tmp_path: Path
) -> None:
    reference = tmp_path / "iris-reference.npy"
    np.save(reference, load_iris().data)
    drift = {"name": "iris-drift", "config": {"basic": {"reference_uri": str(reference), "drift_batch_size": 20}}}
    metrics = {"name": "iris-metrics", "config": {"basic": {"model_type": "multiclass_onehot", "classes": 3}}}
    with httpx.Client(base_url=warden, timeout=30, headers=api_headers) as client:
        created = client.post(f"{API}/namespaces/seldon/seldondeployments", json=iris(demo_models["iris-sklearn"]))
        assert created.status_code == 201, created.text
        for path, body in ((DRIFT, drift), (METRICS, metrics)):
            answer = client.post(path, json=body)
            assert answer.status_code == 200, answer.text
            url = f"{path}/{body['name']}"
            wait_until(f"{url} loaded", lambda url=url: client.get(url).json()["status"]["state"] == "Loaded",
                       LOADED_WITHIN_S)  # fmt: skip
        assert client.get(f"{DRIFT}/no-such-detector/timeline").status_code == 404
        wait_until("iris Available", lambda: client.get(DEPLOYMENT).json()["status"].get("state") == "Available",
                   AVAILABLE_WITHIN_S)  # fmt: skip

        # Two windows of 20 rows, every petal twice as long as in the reference.
        shifted = load_iris().data[::5][:20] * [1.0, 1.0, 2.0, 2.0]
        for rows in (shifted[:10], shifted[10:], shifted[:10], shifted[10:]):
            assert client.post(PREDICT, json={"data": {"ndarray": rows.tolist()}}).status_code == 200

        def timeline() -> list[dict[str, Any]] | None:
            answer = client.get(f"{DRIFT}/iris-drift/timeline")
            assert answer.status_code == 200, answer.text
            windows: list[dict[str, Any]] = answer.json()["windows"]
            return windows if len(windows) == 2 else None

        windows = wait_until("two drift windows", timeline, WITHIN_S)
        assert [(w["rows"], w["isDrift"]) for w in windows] == [(20, True), (20, True)]
        assert [f["isDrift"] for f in windows[0]["features"]] == [None] * 4  # batch mode: one answer per window
        p_values = [f["pValue"] for f in windows[0]["features"]]
        assert min(p_values[2:]) < 0.0125 < min(p_values[:2])  # the petals drifted, the sepals did not

        puids = []
        for row in (SETOSA, VERSICOLOR):
            predicted = client.post(PREDICT, json={"data": {"ndarray": [row]}})
            assert predicted.status_code == 200, predicted.text
            puids.append(predicted.headers["Seldon-Puid"])

        def logged() -> bool:
            hits = client.get(f"{DEPLOYMENT}/requests", params={"pageSize": 100}).json()["requests"]
            return {h["requestId"] for h in hits if h["requestId"] in puids and h.get("response")} == set(puids)

        wait_until("both predictions logged with their responses", logged, WITHIN_S)
        # Feedback without a response: the logged one is the prediction. Setosa right, versicolor called class 2.
        for puid, truth in zip(puids, (0, 2), strict=True):
            sent = client.post(FEEDBACK, json={"truth": onehot(truth)}, headers={"Seldon-Puid": puid})
            assert sent.status_code == 200, sent.text
        with_response = {"response": {"data": {"ndarray": [[0.1, 0.2, 0.7]]}}, "truth": onehot(2)}
        assert client.post(FEEDBACK, json=with_response).status_code == 200

        def summary() -> dict[str, Any] | None:
            answer = client.get(f"{METRICS}/iris-metrics/metrics")
            assert answer.status_code == 200, answer.text
            body: dict[str, Any] = answer.json()
            return body if body["rows"] == 3 else None

        counted = wait_until("three feedback rows counted", summary, WITHIN_S)
        assert counted["correct"] == 2 and counted["overall"]["accuracy"] == pytest.approx(2 / 3)
        by_class = {c["class"]: c for c in counted["classes"]}
        assert (by_class["CLASS_2"]["truePositive"], by_class["CLASS_2"]["falseNegative"]) == (1, 1)
        assert by_class["CLASS_1"]["falsePositive"] == 1

        assert client.delete(f"{DRIFT}/iris-drift").status_code == 200
        assert client.get(f"{DRIFT}/iris-drift/timeline").status_code == 404
