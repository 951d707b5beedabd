"""The model catalog and the Create wizard in a real browser (issue 16) against a real `warden up` with auth on:
the seed's catalog demo (§5.1.5) through the UI (`ui/e2e/catalog.mjs`: register the iris sklearn model, query it,
a wrong query's error in place, deploy it from the catalog through the wizard with an AnchorTabular explainer added
at its Explainer step, Available on its dashboard), then the API says the deployment exists with that model URI and
the explainer the wizard put in its spec explains an iris prediction; and with 1,000 registered models the table
asks the server for one page at a time (`MODE=paging`).
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import numpy as np
from sklearn.datasets import load_iris

from warden_common.testing.waiting import wait_until

from .iris_demo import API
from .test_explanations import SMALL_ANCHORS, explained
from .ui_browser import run_ui_script

METADATA = f"{API}/model/metadata"
FEATURES = ["sepal length", "sepal width", "petal length", "petal width"]


def test_catalog_demo_through_the_ui(
    warden: str, api_headers: dict[str, str], demo_models: dict[str, str], tmp_path: Path
) -> None:
    sklearn = demo_models["iris-sklearn"]
    reference = tmp_path / "iris-reference.csv"  # the rows the explainer is fitted on: iris as the model is sent it
    np.savetxt(reference, load_iris().data, delimiter=",")
    env = {"MODEL_URI": sklearn, "REFERENCE_URI": reference.as_uri(), "EXPLAINER_CONFIG": json.dumps(SMALL_ANCHORS)}
    report = run_ui_script("catalog.mjs", warden, tmp_path, env, timeout=300)
    assert set(report["axe"]) >= {"catalog", "register", "catalog-error", "wizard", "wizard-explainer", "wizard-review"}
    assert report["found"][0][:2] == ["iris", "v1"]
    assert "name==iris" in report["queryError"] or "query" in report["queryError"].lower()
    assert report["prefilled"] == sklearn
    assert report["spec"]["metadata"]["name"] == "iris-catalog"
    [predictor] = report["spec"]["spec"]["predictors"]
    explainer = {"type": "AnchorTabular", "referenceUri": reference.as_uri(), "config": SMALL_ANCHORS}
    assert predictor["explainer"] == explainer
    assert all(Path(shot).stat().st_size > 0 for shot in report["screenshots"])

    with httpx.Client(base_url=warden, headers=api_headers, timeout=30) as client:
        # What the UI registered is in the catalog with the fields typed in the dialog.
        models = client.get(METADATA, params={"URI": sklearn}).json()["models"]
        assert [(m["name"], m["version"], m["artifactType"], m["tags"], m["metrics"]) for m in models] == [
            ("iris", "v1", "SKLEARN", {"author": "Jon Doe", "stage": "demo"}, {"accuracy": 0.97})
        ]
        assert models[0]["predictionSchema"]["responses"][0]["name"] == "species"
        # What the wizard launched exists, Available, serving the catalog model's URI.
        deployment = client.get(f"{API}/namespaces/seldon/seldondeployments/iris-catalog").json()
        assert deployment["status"]["state"] == "Available"
        assert [p["graph"]["modelUri"] for p in deployment["spec"]["predictors"]] == [sklearn]
        # The explainer the wizard added runs: it explains a prediction in the catalog schema's feature names.
        base = f"{API}/namespaces/seldon/seldondeployments/iris-catalog"
        assert wait_until("the wizard's explainer", lambda: client.get(f"{base}/explainer").is_success, 30)
        payload = {"data": {"ndarray": [[6.8, 2.8, 4.8, 1.4]]}}
        anchor = explained(client, client.post(f"{base}/explain", json=payload))["data"]
        assert anchor["anchor"] and all(any(f in rule for f in FEATURES) for rule in anchor["anchor"]), anchor
        assert 0 < anchor["coverage"] <= 1


def test_catalog_of_1000_models_pages_on_the_server_and_one_is_removed(
    warden: str, api_headers: dict[str, str], tmp_path: Path
) -> None:
    with httpx.Client(base_url=warden, headers=api_headers, timeout=30) as client:
        for i in range(1000):
            body = {"URI": f"file:///models/m{i:04d}", "name": f"model-{i:04d}", "version": "v1"}
            created = client.post(METADATA, json=body)
            assert created.status_code == 200, created.text

    report = run_ui_script("catalog.mjs", warden, tmp_path, {"MODE": "paging"}, timeout=300)
    # Page 1 starts with the first by name, page 2 with the 26th: each one page the server answered (the grid
    # renders only the rows in view, so the DOM holds a prefix of each page).
    page1, page2 = [row[0] for row in report["page1"]], [row[0] for row in report["page2"]]
    assert page1 and page1 == [f"model-{i:04d}" for i in range(len(page1))], page1
    assert page2 and page2 == [f"model-{i:04d}" for i in range(25, 25 + len(page2))], page2
    requests = report["requests"]
    assert requests, "the browser never listed the catalog"
    assert all(r["pageSize"] == "25" for r in requests), requests
    assert "pageToken" not in requests[0] and any("pageToken" in r for r in requests[1:]), requests
    # The row removed in the UI is gone from the catalog; its neighbour is not.
    assert report["removed"] == "model-0025"
    with httpx.Client(base_url=warden, headers=api_headers, timeout=30) as client:
        left = client.get(METADATA, params={"query": "name=model-0025 OR name=model-0026"}).raise_for_status().json()
    assert [m["name"] for m in left["models"]] == ["model-0026"]
