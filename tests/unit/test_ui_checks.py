"""The web UI's own checks run from the README's test command: TypeScript (strict, `tsc --noEmit`) and the Vitest unit
tests of the API client, the session and the deployment logic (`npm run check` in ui/; `scripts/infra/all install`
ran `npm ci` there)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "ui"


def test_typescript_and_vitest_pass() -> None:
    assert (UI / "node_modules" / ".bin" / "vitest").exists(), "run `scripts/infra/ui-deps install` (npm ci in ui/)"
    npm = shutil.which("npm")
    assert npm, "the UI's checks need Node.js and npm"
    run = subprocess.run([npm, "run", "check"], cwd=UI, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "Tests " in run.stdout and " failed" not in run.stdout
