"""Runs one of `ui/e2e/*.mjs` (playwright-core driving Debian's chromium) against a Warden and returns its report.

Every script prints one JSON line (`ui/e2e/lib.mjs`): screenshots, axe-core results per screen, the steps it saw,
and `error` when it failed. Screenshots go to `$WARDEN_UI_ARTIFACTS/<script>` (default: `test-artifacts/ui/<script>`
in the checkout, emptied first), whose path is printed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from warden_common.testing.auth import TEST_ADMIN, TEST_ADMIN_PASSWORD

UI = Path(__file__).resolve().parents[2] / "ui"
ARTIFACTS = UI.parent / "test-artifacts" / "ui"


def _chromium() -> str:
    found = shutil.which("chromium")
    assert found, "Debian's chromium is missing: `scripts/infra/all install` installs it"
    return found


def run_ui_script(
    script: str, warden: str, tmp_path: Path, env: dict[str, str] | None = None, timeout: float = 180
) -> dict[str, Any]:
    """Runs `ui/e2e/<script>` signed in as the test administrator; fails the test with the script's error."""
    assert (UI / "node_modules" / "playwright-core").is_dir(), "run `scripts/install` (npm ci in ui/)"
    root = os.environ.get("WARDEN_UI_ARTIFACTS")
    # Default: under the checkout (`test-artifacts/`, ignored by git), so a CI run keeps the screenshots after it.
    artifacts = (Path(root) if root else ARTIFACTS) / Path(script).stem
    shutil.rmtree(artifacts, ignore_errors=True)  # no screenshot of an earlier run passes for this one's
    print(f"UI screenshots: {artifacts}")
    run = subprocess.run(
        ["node", f"e2e/{script}"],
        cwd=UI,
        env={
            **os.environ,
            "WARDEN_URL": warden,
            "WARDEN_USER": TEST_ADMIN,
            "WARDEN_PASSWORD": TEST_ADMIN_PASSWORD,
            "WARDEN_UI_ARTIFACTS": str(artifacts),
            "CHROMIUM": _chromium(),
            **(env or {}),
        },
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    report: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1]) if run.stdout.strip() else {}
    assert run.returncode == 0, f"{report.get('error') or run.stderr}\nscreenshots: {artifacts}"
    return report
