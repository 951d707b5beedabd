"""Running a script in the official SDK's own venv (its packages are not ours): its last stdout line is JSON."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any


def run_sdk(sdk_python: Path, script: str, base: str, credentials: tuple[str, str], *args: str) -> Any:
    """`script` run as `python -c script base user password *args`; what it printed last, parsed."""
    done = subprocess.run(
        [str(sdk_python), "-c", script, base, *credentials, *args],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])
