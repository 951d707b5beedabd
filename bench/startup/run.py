"""How long `warden up` takes to answer /health/ready, cold (new $WARDEN_HOME) and warm (existing state).

Run: `uv run python bench/startup/run.py [--runs 3]`. Prints one JSON line per run and a summary; loopback only.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from warden_common.testing.processes import free_port, wait_http_ok


def _time_to_ready(home: Path) -> tuple[float, float]:
    """Seconds until ready, and seconds from SIGINT until the process has exited."""
    port = free_port()
    warden = Path(sys.executable).with_name("warden")
    started = time.perf_counter()
    proc = subprocess.Popen(
        [str(warden), "up", "--port", str(port)],
        env={**os.environ, "WARDEN_HOME": str(home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_http_ok(f"http://127.0.0.1:{port}/health/ready", proc, 120)
        ready = time.perf_counter() - started
    finally:
        stopping = time.perf_counter()
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
    return ready, time.perf_counter() - stopping


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results: dict[str, list[float]] = {"cold": [], "warm": [], "stop": []}
    for run in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="wb") as tmp:
            home = Path(tmp) / "h"
            for kind in ("cold", "warm"):
                ready, stop = _time_to_ready(home)
                results[kind].append(ready)
                results["stop"].append(stop)
                print(json.dumps({"run": run, "kind": kind, "ready_s": round(ready, 2), "stop_s": round(stop, 2)}))
    summary = {k: {"median_s": round(statistics.median(v), 2), "max_s": round(max(v), 2)} for k, v in results.items()}
    print(json.dumps({"summary": summary}))


if __name__ == "__main__":
    main()
