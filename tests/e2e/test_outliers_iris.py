"""Outlier detection end to end: `warden up`, the iris demo model served by MLServer, an IForest outlier detector
fitted on the iris data; absurd rows are flagged, normal ones are not, the scores are on the logged requests and
`outliersOnly` finds exactly the absurd ones. The public API only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from sklearn.datasets import load_iris

from .iris_demo import API, AVAILABLE_WITHIN_S, DEPLOYMENT, LOADED_WITHIN_S, iris, wait_until

pytestmark = pytest.mark.integration

OUTLIERS = f"{DEPLOYMENT}/monitor/outlier-detector"
LOGGED_WITHIN_S = 60
NORMAL = [[5.0, 3.4, 1.5, 0.25], [5.9, 2.8, 4.3, 1.3]]  # the centres of the setosa and versicolor clusters
ABSURD = [[50.0, -3.0, 80.0, 40.0], [0.1, 30.0, 0.1, 25.0]]


def test_absurd_iris_rows_are_flagged_logged_and_found_by_outliers_only(
    demo_models: dict[str, str], warden: str, api_headers: dict[str, str], tmp_path: Path
) -> None:
    reference = tmp_path / "iris-reference.npy"
    np.save(reference, load_iris().data)
    with httpx.Client(base_url=warden, timeout=30, headers=api_headers) as client:
        created = client.post(f"{API}/namespaces/seldon/seldondeployments", json=iris(demo_models["iris-sklearn"]))
        assert created.status_code == 201, created.text
        detector = {"name": "iris-outlier", "config": {"basic": {
            "reference_uri": str(reference), "algorithm": "IForest", "threshold_percentile": 99}}}  # fmt: skip
        answer = client.post(OUTLIERS, json=detector)
        assert answer.status_code == 200, answer.text

        def state() -> str:
            return str(client.get(f"{OUTLIERS}/iris-outlier").json()["status"]["state"])

        wait_until("the detector loaded", lambda: state() == "Loaded", LOADED_WITHIN_S)
        wait_until("iris Available", lambda: client.get(DEPLOYMENT).json()["status"].get("state") == "Available",
                   AVAILABLE_WITHIN_S)  # fmt: skip

        puids = {}
        for kind, rows in (("normal", NORMAL), ("absurd", ABSURD)):
            for row in rows:
                predicted = client.post("/seldon/seldon/iris/api/v1.0/predictions", json={"data": {"ndarray": [row]}})
                assert predicted.status_code == 200, predicted.text
                puids[predicted.headers["Seldon-Puid"]] = kind

        def scored() -> list[dict[str, Any]] | None:
            page = client.get(f"{DEPLOYMENT}/requests", params={"pageSize": 50})
            assert page.status_code == 200, page.text
            hits: list[dict[str, Any]] = page.json()["requests"]
            with_scores = [hit for hit in hits if hit["requestId"] in puids and "outlier" in hit]
            return with_scores if len(with_scores) == len(puids) else None

        hits = wait_until("every logged request has its outlier score", scored, LOGGED_WITHIN_S)
        for hit in hits:
            outlier = hit["outlier"]
            assert outlier["isOutlier"] is (puids[hit["requestId"]] == "absurd"), hit
            assert isinstance(outlier["instanceScore"], float)
        only = client.get(f"{DEPLOYMENT}/requests", params={"outliersOnly": "true", "pageSize": 50})
        assert only.status_code == 200, only.text
        found = {hit["requestId"] for hit in only.json()["requests"]}
        assert found == {puid for puid, kind in puids.items() if kind == "absurd"}
        status = client.get(f"{OUTLIERS}/iris-outlier").json()["status"]
        assert status["throughput"]["instances_scored"] == len(puids)
