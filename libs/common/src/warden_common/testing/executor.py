"""A real executor-side CloudEvents client for the ingestion tests: a Go program sending with
`github.com/cloudevents/sdk-go/v2`, the library Seldon Core's executor and KServe's agent log with, so a logger URL
with userinfo (`http://warden:<token>@host:port/`) becomes HTTP Basic exactly as in a cluster.

Built by `scripts/infra/cloudevents-sender install` (part of `scripts/infra/all install`, which CI runs) into the
infra home; `sender()` runs that same idempotent step, so a test on a machine that skipped it still builds it once.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from warden_common.testing.servers.config import infra_home, repo_root


def sender() -> Path:
    """The built sender (built or rebuilt first if missing or outdated: seconds when Go's module cache is warm)."""
    done = subprocess.run(
        [str(repo_root() / "scripts" / "infra" / "cloudevents-sender"), "install"],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"could not build the Go CloudEvents sender:\n{done.stderr}")
    return infra_home() / "bin" / "cloudevents-sender"


@dataclass(frozen=True)
class Sent:
    status: int
    """The HTTP status the receiver answered (0 if none)."""
    acknowledged: bool
    output: str


async def send_cloudevent(
    binary: Path, url: str, type_: str, id_: str, extensions: dict[str, str], data: object
) -> Sent:
    """Post one binary-mode CloudEvent to `url` (which may carry `user:secret@`) with the Go SDK."""
    process = await asyncio.create_subprocess_exec(
        str(binary),
        url,
        type_,
        id_,
        json.dumps(extensions),
        json.dumps(data),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    if process.returncode not in (0, 1):
        raise RuntimeError(f"cloudevents-sender failed ({process.returncode}): {err.decode()}")
    lines = out.decode().split()
    return Sent(int(lines[-1]) if lines else 0, process.returncode == 0, err.decode())
