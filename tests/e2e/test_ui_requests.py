"""The Requests tab and the explanation view in a real browser (issue 16): the seed's demo §5.1.3 — an income
classifier, a few logged predictions; the anchors explainer is added through the dashboard's "Add explainer" dialog
(the income reference rows and a small config), and the API then holds exactly that explainer. The UI lists the
requests with the prediction schema's feature names and explains one; the anchor it shows is the one the API stored
for that request, and explaining it again shows the stored one without computing another. Then 10,000
logged instances (bulk-logged through the logger's ingestion endpoint, not 10,000 predictions): the browser asks
for one page at a time, and the next page works. `ui/e2e/requests.mjs` drives chromium and runs axe-core.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from warden_common.testing.waiting import wait_until

from .test_explanations import (
    API,
    DEPLOYMENTS,
    INCOME_ROW,
    SMALL_ANCHORS,
    create,
    logged,
    predict,
    wait_available,
)
from .ui_browser import run_ui_script

BULK_ROWS = 10_000
BULK_BATCH = 2_000


def bulk_log(client: httpx.Client, name: str, names: list[str], rows: int) -> None:
    """`rows` instances as batched request + response events, as an executor posts them to the logger."""
    for start in range(0, rows, BULK_BATCH):
        rid = f"bulk-{start}-{uuid.uuid4().hex[:6]}"
        batch = [[(start + i) % 90, *INCOME_ROW[1:]] for i in range(BULK_BATCH)]
        outputs = [[0.9, 0.1]] * BULK_BATCH
        for kind, body in (("request", {"data": {"names": names, "ndarray": batch}}),
                           ("response", {"data": {"names": ["t:0", "t:1"], "ndarray": outputs}})):  # fmt: skip
            event = {
                "Ce-Id": str(uuid.uuid4()),
                "Ce-Specversion": "1.0",
                "Ce-Type": f"io.seldon.serving.inference.{kind}",
                "Ce-Time": f"2026-01-05T10:{start // BULK_BATCH:02d}:00Z",
                "Ce-Source": "http://executor:8000/",
                "Ce-Requestid": rid,
                "Ce-Modelid": "classifier",
                "Ce-Inferenceservicename": name,
                "Ce-Namespace": "seldon",
                "Ce-Endpoint": "default",
                "Content-Type": "application/json",
            }
            answer = client.post("/request-logger/", content=json.dumps(body), headers=event)
            assert answer.status_code == 200, answer.text


def test_requests_and_an_anchor_explanation_through_the_ui(
    warden: str, api_headers: dict[str, str], demo_models: dict[str, str], tmp_path: Path
) -> None:
    uri = demo_models["income-sklearn"]
    schema = json.loads((Path(urlsplit(uri).path) / "prediction-schema.json").read_text())
    names = [f["name"] for f in schema["requests"]]
    with httpx.Client(base_url=warden, timeout=60, headers=api_headers) as client:
        registered = client.post(f"{API}/model/metadata", json={
            "URI": uri, "name": "income", "version": "1", "artifactType": "SKLEARN", "taskType": "classification",
            "project": "default", "predictionSchema": schema})  # fmt: skip
        assert registered.status_code == 200, registered.text
        create(client, "income", uri)  # no explainer: the UI adds it
        wait_available(client, "income")
        assert client.get(f"{DEPLOYMENTS}/income/explainer").status_code == 404
        puids = {predict(client, "income", {"data": {"names": names, "ndarray": [[age, *INCOME_ROW[1:]]]}})[0]
                 for age in (25, 53, 70)}  # fmt: skip
        wait_until("the predictions logged", lambda: logged(client, "income") == puids, 30)

        bulk_log(client, "bulk", names, BULK_ROWS)
        wait_until("the bulk log", lambda: client.get(f"{DEPLOYMENTS}/bulk/requests", params={"pageSize": 1})
                   .json().get("total") == BULK_ROWS, 120)  # fmt: skip

        edited = {**SMALL_ANCHORS, "threshold": "0.9"}
        env = {"FEATURE": names[0], "REFERENCE_URI": demo_models["income-reference"],
               "EXPLAINER_CONFIG": json.dumps(SMALL_ANCHORS), "EDITED_CONFIG": json.dumps(edited)}  # fmt: skip
        report = run_ui_script("requests.mjs", warden, tmp_path, env, timeout=300)
        # The explainer the dialog added (then edited: the Edit dialog showed what was stored, and saved a new
        # config) is the one the API holds: the type, the reference rows, the catalog model, the config.
        assert report["editShown"] == {"reference": demo_models["income-reference"], "config": SMALL_ANCHORS}
        configured = client.get(f"{DEPLOYMENTS}/income/explainer")
        assert configured.status_code == 200, configured.text
        explainer = configured.json()
        assert explainer["source"] == "api"
        assert (explainer["type"], explainer["referenceUri"], explainer["config"], explainer["catalogModelUri"]) == (
            "AnchorTabular", demo_models["income-reference"], edited, uri)  # fmt: skip
        assert "modelUri" not in explainer
        assert "config is not valid JSON" in report["configError"]
        assert report["explainerState"] == "Configured: AnchorTabular"
        assert set(names) <= set(report["headers"]), report["headers"]
        assert report["rows"] == 1 + len(puids)  # the header row and one row per logged prediction
        assert set(report["axe"]) == {"add-explainer", "remove-explainer", "requests", "explanation"}

        # The anchor shown is the one the API stored for the explained request; explaining it again showed that
        # stored one rather than computing another (two explanations in all: the first and the recomputed one).
        assert report["explainedRequest"] in puids
        assert report["firstSource"] == "Computed just now."
        assert report["againSource"].startswith("Stored explanation, computed ")
        assert report["againAnchor"] == report["anchor"]
        # The catalog model the dialog prefilled (the deployment's) names the features in the anchor's rules.
        assert all(any(rule.startswith(n) for n in names) for rule in report["anchor"]), report["anchor"]
        stored = client.get(f"{DEPLOYMENTS}/income/explanations", params={"requestId": report["explainedRequest"]})
        recomputed, explanation = stored.json()["explanations"]  # newest first
        assert recomputed["status"] == "succeeded"
        assert report["recomputedAnchor"] == recomputed["explanation"]["data"]["anchor"]
        data = explanation["explanation"]["data"]
        assert report["anchor"] == data["anchor"]
        assert report["precision"] == f"{data['precision'] * 100:.1f} %"
        assert report["coverage"] == f"{data['coverage'] * 100:.1f} %"

        # Server paging: each search the browser made asked for one page; the second by the first's token.
        assert [s["pageSize"] for s in report["bulkSearches"]] == ["25"] * len(report["bulkSearches"])
        assert report["bulkSearches"][-1]["token"] and all(n == 25 for n in report["bulkPageRows"])
