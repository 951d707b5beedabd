"""What the gateway's data-plane relay adds (distributed mode): predicting through `warden serve gateway` vs directly
on the serving service, in the same run.

    uv run python bench/dataplane/gateway_relay.py [--postgres DSN] [--requests 1000] [--out results.json]

Starts the serving service in-process (uvicorn, PostgreSQL bus, real MLServer, the iris scikit-learn demo model)
and `warden serve gateway` as its own process with `WARDEN_GATEWAY_UPSTREAMS__SERVING` pointing at it; loopback
only. At concurrency 1, `--requests` V2 and Seldon calls each (logging off, so the bus is not measured) go
directly to serving, then through the gateway, alternating in rounds so drifting machine load hits both alike.
Reports p50/p99 per path, the added p50 and the p50 ratio, and the gateway process's CPU time per relayed call
(its user+system time over the relayed calls, from psutil). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import psutil
from harness import serving_with_iris  # a sibling module: this folder is run as scripts
from run import SELDON, V2, default_dsn

from warden_common.testing.processes import free_port

ROUNDS = 5
SKIP_LOGGING = {"Seldon-Skip-Logging": "true"}


def start_gateway(serving: str, dsn: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "WARDEN_GATEWAY_BUS__KIND": "postgres",
        "WARDEN_GATEWAY_BUS__POSTGRES_DSN": dsn,
        "WARDEN_GATEWAY_UPSTREAMS__SERVING": serving,
        "WARDEN_GATEWAY_LOG_LEVEL": "WARNING",
    }
    warden = Path(sys.executable).with_name("warden")
    proc = subprocess.Popen([str(warden), "serve", "gateway", "--port", str(port)], env=env)
    return proc, f"http://127.0.0.1:{port}"


async def wait_ready(client: httpx.AsyncClient, url: str, proc: subprocess.Popen[bytes]) -> None:
    async with asyncio.timeout(120):
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the gateway exited with {proc.returncode}")
            try:
                if (await client.get(url)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)


async def timed(client: httpx.AsyncClient, url: str, body: Any, count: int) -> list[float]:
    latencies = []
    for _ in range(count):
        start = time.perf_counter()
        response = await client.post(url, json=body, headers=SKIP_LOGGING)
        latencies.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code} {response.text}")
    return latencies


def summary(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 3),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 3),
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    dsn = args.postgres or default_dsn()
    results: dict[str, Any] = {}
    async with (
        serving_with_iris(dsn, prefix="warden-bench-relay-") as serving,
        httpx.AsyncClient(timeout=60, trust_env=False) as client,
    ):
        proc, gateway = start_gateway(serving, dsn)
        try:
            await wait_ready(client, f"{gateway}/health/ready", proc)
            gateway_process = psutil.Process(proc.pid)
            per_round = max(1, args.requests // ROUNDS)
            for protocol, path, body in (
                ("v2", "/seldon/bench/iris/v2/models/classifier/infer", V2),
                ("seldon", "/seldon/bench/iris/api/v1.0/predictions", SELDON),
            ):
                direct: list[float] = []
                relayed: list[float] = []
                cpu_s = 0.0
                await timed(client, serving + path, body, 50)  # warm-up: connections, caches
                await timed(client, gateway + path, body, 50)
                for _ in range(ROUNDS):
                    direct += await timed(client, serving + path, body, per_round)
                    before = gateway_process.cpu_times()
                    relayed += await timed(client, gateway + path, body, per_round)
                    after = gateway_process.cpu_times()
                    cpu_s += (after.user - before.user) + (after.system - before.system)
                d, r = summary(direct), summary(relayed)
                results[protocol] = {
                    "requests_per_path": len(direct),
                    "direct": d,
                    "through_gateway": r,
                    "added_p50_ms": round(r["p50_ms"] - d["p50_ms"], 3),
                    "p50_ratio": round(r["p50_ms"] / d["p50_ms"], 3),
                    "gateway_cpu_ms_per_call": round(cpu_s * 1000 / len(relayed), 3),
                }
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=30)
    load = os.getloadavg()
    return {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "loadavg_1m_at_end": load[0]},
        "results": results,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", help="DSN of an empty database for the bus (default: the infra PostgreSQL)")
    parser.add_argument("--requests", type=int, default=1000, help="calls per path and protocol (in 5 rounds)")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    parsed = parser.parse_args()
    output = asyncio.run(main(parsed))
    text = json.dumps(output, indent=2)
    print(text)
    if parsed.out:
        parsed.out.write_text(text)
