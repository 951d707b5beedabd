"""The operations screens of the web UI in a real browser against a real `warden up` with auth on (issue 16): add a
canary with the dashboard's dialog (the API then has it), the Resources tab (MLServer processes and their output,
followed live: a line written after it started following shows up), the Audit tab (commits, a side-by-side diff,
restore to the first commit: the API then serves that spec again),
Usage from the app bar (averages and charts), and a batch job created from the Batch jobs tab that completes.
`ui/e2e/ops.mjs` drives Debian's chromium and runs axe-core on each screen; screenshots are kept.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx

from .iris_demo import AVAILABLE_WITHIN_S, DEPLOYMENT, iris, wait_until
from .ui_browser import run_ui_script

BATCH_LINES = 20


def test_canary_resources_and_audit_through_the_ui(
    warden: str, api_headers: dict[str, str], demo_models: dict[str, str], tmp_path: Path
) -> None:
    sklearn, xgboost = demo_models["iris-sklearn"], demo_models["iris-xgboost"]
    with httpx.Client(base_url=warden, headers=api_headers, timeout=30) as client:
        created = client.post(f"{DEPLOYMENT.rsplit('/', 1)[0]}", json=iris(sklearn))
        assert created.status_code == 201, created.text
        wait_until(
            "iris available",
            lambda: client.get(DEPLOYMENT).json().get("status", {}).get("state") == "Available",
            AVAILABLE_WITHIN_S,
        )

        rows = [[5.1, 3.5, 1.4, 0.2], [6.2, 2.9, 4.3, 1.3], [7.7, 3.0, 6.1, 2.3]]
        batch_input, batch_output = tmp_path / "batch-in.txt", tmp_path / "batch-out.txt"
        batch_input.write_text("".join(json.dumps([rows[i % 3]]) + "\n" for i in range(BATCH_LINES)))
        env = {"CANARY_URI": xgboost, "BATCH_INPUT": str(batch_input), "BATCH_OUTPUT": str(batch_output)}
        report = run_ui_script("ops.mjs", warden, tmp_path, env, timeout=400)
        assert set(report["axe"]) == {"add-canary", "resources", "audit", "usage", "batchjobs"}
        assert any(row[1] == "canary" and row[2] == "30%" for row in report["predictors"])
        # One row per MLServer process (default and canary), each with its state.
        assert len(report["processes"]) >= 2 and all(row[2] for row in report["processes"])
        assert "mlserver" in report["logs"], f"no MLServer output on the Resources tab: {report['logs'][:500]}"
        # Following, the screen showed the error MLServer logged for a bad prediction made after it started.
        assert "features" not in report["logs"] and "features" in report["followedLog"], report["followedLog"][-500:]
        # Read again for "written in the last 5 minutes" only: the error just logged is in it.
        assert "features" in report["recentLog"], report["recentLog"][-500:]
        # The newest commit is the canary's: its diff adds the canary's model.
        assert any(xgboost in line for line in report["diffAdded"]), report["diffAdded"]
        assert "restored" in report["restored"], report["restored"]
        # Usage shows figures: a non-zero average of processes and memory in binary units.
        assert re.search(
            r"Averages over the last 1h: [1-9][0-9.]* processes, [0-9.]+ CPU cores, [0-9.]+ [KMG]iB", report["usage"]
        ), report["usage"]
        # The batch job made from the UI shows its progress complete, and its output has one answer per line.
        assert f"{BATCH_LINES} / {BATCH_LINES} lines" in report["batch"][2], report["batch"]
        assert len(batch_output.read_text().splitlines()) == BATCH_LINES
        assert len(report["screenshots"]) == 8 and all(Path(s).stat().st_size > 0 for s in report["screenshots"])

        # The restore is real: the API serves the first spec again (one predictor, the sklearn model), and the
        # audit log recorded the UI's canary and the restore with their comments.
        predictors = client.get(DEPLOYMENT).json()["spec"]["predictors"]
        assert [p["graph"]["modelUri"] for p in predictors] == [sklearn]
        messages = [c["Message"] for c in client.get(f"{DEPLOYMENT}/gitlogs").json()]
        assert any("back to one predictor" in m for m in messages[:1]), messages
        assert any("canary from the UI" in m for m in messages), messages
