"""AnchorTabular latency on the income demo model through Warden, and alibi in-process as the reference (issue 11).

    uv run python bench/explain/run.py [--explanations 30] [--write]

Trains the demo models (`warden demo`) into a scratch `$WARDEN_HOME`, starts `warden up`, deploys income-sklearn
(MLServer), adds an AnchorTabular explainer fitted on the demo's income reference with the catalog's schema, and
times `POST .../explain` (public API, one at a time, after a warm-up explanation) for the seed's row and rows of the
reference. In the same run, the same explanations are computed with alibi directly in-process: the same pipeline
trained on the same generated data in this venv, the same explainer parameters, no HTTP. Prints a Markdown table;
`--write` also rewrites RESULTS.md beside this file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import numpy as np

from warden_common.testing.processes import running_warden_up, warden_executable

HERE = Path(__file__).resolve().parent
SEED_ROW = [53, 4, 0, 2, 8, 4, 2, 0, 0, 0, 60, 9]
API = "/seldon-deploy/api/v1alpha1"
DEPLOYMENT = f"{API}/namespaces/seldon/seldondeployments/income"


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def rows_to_explain(reference: np.ndarray[Any, Any], count: int) -> list[list[float]]:
    return [SEED_ROW, *(reference[i].tolist() for i in range(count - 1))]


def through_warden(home: Path, rows: list[list[float]]) -> tuple[list[float], list[list[str]]]:
    env = {**os.environ, "WARDEN_HOME": str(home)}
    demo = subprocess.run([str(warden_executable()), "demo"], env=env, capture_output=True, text=True, check=True)
    uris = dict(line.split("\t") for line in demo.stdout.splitlines() if "\t" in line)
    schema = json.loads((Path(urlsplit(uris["income-sklearn"]).path) / "prediction-schema.json").read_text())
    graph = {"name": "model", "implementation": "SKLEARN_SERVER", "modelUri": uris["income-sklearn"]}
    manifest = {"apiVersion": "machinelearning.seldon.io/v1", "kind": "SeldonDeployment",
                "metadata": {"name": "income", "namespace": "seldon"},
                "spec": {"predictors": [{"name": "default", "replicas": 1, "graph": graph}]}}  # fmt: skip
    # Every answer direct (no 202 + polling), so the latency measured is the explanation's own.
    direct = {"WARDEN_DETECTORS_EXPLAIN_ANSWER_WITHIN_S": "120"}
    with (
        running_warden_up(home, ready_within_s=90, env=direct) as base,
        httpx.Client(base_url=base, timeout=180) as client,
    ):
        assert client.post(f"{API}/namespaces/seldon/seldondeployments", json=manifest).status_code == 201
        deadline = time.monotonic() + 180
        while client.get(DEPLOYMENT).json()["status"].get("state") != "Available":
            assert time.monotonic() < deadline, "income did not become Available"
            time.sleep(0.5)
        explainer = {"type": "AnchorTabular", "referenceUri": uris["income-reference"], "predictionSchema": schema}
        assert client.put(f"{DEPLOYMENT}/explainer", json=explainer).status_code == 200
        warm = client.post(f"{DEPLOYMENT}/explain", json={"data": {"ndarray": [SEED_ROW]}})  # imports alibi, builds
        assert warm.status_code == 200, warm.text
        latencies, anchors = [], []
        for row in rows:
            started = time.perf_counter()
            answer = client.post(f"{DEPLOYMENT}/explain", json={"data": {"ndarray": [row]}})
            latencies.append(time.perf_counter() - started)
            assert answer.status_code == 200, answer.text
            anchors.append(answer.json()["data"]["anchor"])
    return latencies, anchors


def in_process(rows: list[list[float]]) -> tuple[list[float], list[list[str]], int]:
    from alibi.explainers import AnchorTabular
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    from warden_detectors.explainers.build import Columns
    from warden_serving.demo.income_schema import prediction_schema
    from warden_serving.demo.train import income_data

    schema = prediction_schema()
    categorical = [i for i, f in enumerate(schema["requests"]) if f["type"] == "CATEGORICAL"]
    numeric = [i for i, f in enumerate(schema["requests"]) if f["type"] != "CATEGORICAL"]
    encode = ColumnTransformer([("c", OneHotEncoder(handle_unknown="ignore"), categorical),
                                ("n", StandardScaler(), numeric)])  # fmt: skip
    model = Pipeline([("e", encode), ("l", LogisticRegression(max_iter=2000))]).fit(*income_data(schema, 30000))
    calls = [0]

    def predict(batch: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        calls[0] += 1
        out: np.ndarray[Any, Any] = model.predict_proba(batch)
        return out

    columns = Columns.from_schema(schema)
    explainer = AnchorTabular(predict, columns.names or [], categorical_names=columns.categories, seed=0)
    explainer.fit(income_data(schema, 1000, seed=1)[0], disc_perc=(25, 50, 75))
    explainer.explain(np.asarray(SEED_ROW, dtype=float))  # warm-up, as for Warden
    calls[0] = 0
    latencies, anchors = [], []
    for row in rows:
        started = time.perf_counter()
        explanation = explainer.explain(np.asarray(row, dtype=float))
        latencies.append(time.perf_counter() - started)
        anchors.append(list(explanation.anchor))
    return latencies, anchors, calls[0] // len(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--explanations", type=int, default=30)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    from warden_serving.demo.income_schema import prediction_schema
    from warden_serving.demo.train import income_data

    rows = rows_to_explain(income_data(prediction_schema(), 1000, seed=1)[0], args.explanations)
    with tempfile.TemporaryDirectory(prefix="wb-") as tmp:
        warden, warden_anchors = through_warden(Path(tmp) / "h", rows)
    local, local_anchors, calls = in_process(rows)
    same = sum(a == b for a, b in zip(warden_anchors, local_anchors, strict=True))
    table = [
        "| path | explanations | p50 ms | p95 ms | max ms |",
        "|---|---|---|---|---|",
        *(f"| {name} | {len(v)} | {percentile(v, 50) * 1000:.0f} | {percentile(v, 95) * 1000:.0f} | "
          f"{max(v) * 1000:.0f} |" for name, v in (("Warden (POST explain, MLServer model)", warden),
                                                   ("alibi in-process (same model, no HTTP)", local))),
    ]  # fmt: skip
    notes = (
        f"Seed row anchor through Warden: {warden_anchors[0]}; in-process: {local_anchors[0]}. "
        f"Same anchor for {same}/{len(rows)} rows (the in-process model is retrained in this venv's scikit-learn). "
        f"In-process alibi made {calls} model calls per explanation on average."
    )
    machine = f"{platform.processor() or platform.machine()}, nproc={os.cpu_count()}, {dt.date.today()}"
    report = "\n".join([*table, "", notes, "", f"Machine: {machine}."])
    print(report)
    if args.write:
        (HERE / "RESULTS.md").write_text(
            "# Explanation benchmark — results\n\n`uv run python bench/explain/run.py --explanations "
            f"{args.explanations} --write`: AnchorTabular (alibi defaults: threshold 0.95, batch 100, coverage "
            "samples 10,000) on the income demo model.\n\n" + report + "\n"
        )


if __name__ == "__main__":
    main()
