"""The web UI in a real browser (issue 16): the seed's canary promotion demo (§5.1.1) through the UI of a real
`warden up` with auth on — sign in as the test administrator, open iris from the overview, see default + canary
traffic, promote the canary — then the result is read back from the API. It also checks the API docs link, About,
that a token the server refuses leads back to sign-in, a wrong password in words, and sign-out.
`ui/e2e/canary.mjs` drives Debian's chromium with playwright-core and runs axe-core on the sign-in, overview and
dashboard screens. Screenshots of every step are kept (`ui_browser.run_ui_script`).
"""

from __future__ import annotations

from pathlib import Path

import httpx

from warden_common.testing.auth import TEST_ADMIN

from .iris_demo import DEPLOYMENT, iris
from .ui_browser import run_ui_script


def test_canary_promotion_through_the_ui(
    warden: str, api_headers: dict[str, str], demo_models: dict[str, str], tmp_path: Path
) -> None:
    sklearn, xgboost = demo_models["iris-sklearn"], demo_models["iris-xgboost"]
    with httpx.Client(base_url=warden, headers=api_headers, timeout=30) as client:
        created = client.post(f"{DEPLOYMENT.rsplit('/', 1)[0]}", json=iris(sklearn))
        assert created.status_code == 201, created.text
        canary = {"modelUri": xgboost, "implementation": "XGBOOST_SERVER", "traffic": 25}
        added = client.post(f"{DEPLOYMENT}/canary", json=canary)
        assert added.status_code == 200, added.text

        report = run_ui_script("canary.mjs", warden, tmp_path)
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
