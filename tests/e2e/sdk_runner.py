"""Running a script of the official seldon-deploy-sdk in its own venv, as the SDK e2e tests do."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any


def run_sdk(sdk_python: Path, script: str, base: str, credentials: tuple[str, str], *args: str) -> Any:
    """Run `script` with argv `base user password *args`; what it printed last, as JSON."""
    done = subprocess.run(
        [str(sdk_python), "-c", script, base, *credentials, *args],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])
