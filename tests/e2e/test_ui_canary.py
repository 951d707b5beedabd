"""The web UI in a real browser (issue 16): the seed's canary promotion demo (§5.1.1) through the UI of a real
`warden up` with auth on — sign in as the test administrator, open iris from the overview, see default + canary
traffic, promote the canary — then the result is read back from the API. It also checks the API docs link, About,
that a token the server refuses leads back to sign-in, a wrong password in words, and sign-out.
`ui/e2e/canary.mjs` drives Debian's chromium with playwright-core and runs axe-core on the sign-in, overview and
dashboard screens. Screenshots of every step are kept in `$WARDEN_UI_ARTIFACTS` (default: this test's tmp dir),
whose path the test prints.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import httpx

from warden_common.testing.auth import TEST_ADMIN, TEST_ADMIN_PASSWORD

from .iris_demo import DEPLOYMENT, iris

UI = Path(__file__).resolve().parents[2] / "ui"


def _chromium() -> str:
    found = shutil.which("chromium")
    assert found, "Debian's chromium is missing: `scripts/infra/all install` installs it"
    return found


def test_canary_promotion_through_the_ui(
    warden: str, api_headers: dict[str, str], demo_models: dict[str, str], tmp_path: Path
) -> None:
    assert (UI / "node_modules" / "playwright-core").is_dir(), "run `scripts/install` (npm ci in ui/)"
    sklearn, xgboost = demo_models["iris-sklearn"], demo_models["iris-xgboost"]
    with httpx.Client(base_url=warden, headers=api_headers, timeout=30) as client:
        created = client.post(f"{DEPLOYMENT.rsplit('/', 1)[0]}", json=iris(sklearn))
        assert created.status_code == 201, created.text
        canary = {"modelUri": xgboost, "implementation": "XGBOOST_SERVER", "traffic": 25}
        added = client.post(f"{DEPLOYMENT}/canary", json=canary)
        assert added.status_code == 200, added.text

        artifacts = Path(os.environ.get("WARDEN_UI_ARTIFACTS") or tmp_path / "ui-artifacts")
        print(f"UI screenshots: {artifacts}")
        run = subprocess.run(
            ["node", "e2e/canary.mjs"],
            cwd=UI,
            env={
                **os.environ,
                "WARDEN_URL": warden,
                "WARDEN_USER": TEST_ADMIN,
                "WARDEN_PASSWORD": TEST_ADMIN_PASSWORD,
                "WARDEN_UI_ARTIFACTS": str(artifacts),
                "CHROMIUM": _chromium(),
            },
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        report = json.loads(run.stdout.strip().splitlines()[-1]) if run.stdout.strip() else {}
        assert run.returncode == 0, f"{report.get('error') or run.stderr}\nscreenshots: {artifacts}"
        assert [row[1:3] for row in report["before"]] == [["default", "75%"], ["canary", "25%"]]
        assert set(report["axe"]) == {"signin", "overview", "dashboard"}
        assert f"Signed in as: {TEST_ADMIN}" in report["about"]
        assert "a refused token leads back to sign-in" in report["steps"]
        assert "API docs render" in report["steps"]
        assert "wrong user name or password" in report["wrongPassword"]
        assert len(report["screenshots"]) == 7 and all(Path(shot).stat().st_size > 0 for shot in report["screenshots"])

        # What the UI did is what the API now says: the canary's model is the default, with all the traffic.
        predictors = client.get(DEPLOYMENT).json()["spec"]["predictors"]
        assert [(p.get("traffic"), p["graph"]["modelUri"]) for p in predictors] == [(100, xgboost)]
