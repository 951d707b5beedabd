"""Do the latency percentiles of `monitor/requests` agree with what a client measures?

    uv run python bench/request_metrics/p99_agreement.py [--requests 2000] [--concurrency 4]

The serving service in-process (PostgreSQL bus, real MLServer, iris scikit-learn, request rollups in PostgreSQL),
a private Prometheus scraping it every second, and the gateway's query in both modes (Warden's store; Prometheus).
`--requests` Seldon predictions at `--concurrency` (logging off) are timed by the client around each call; the
query then covers exactly those windows. Prints one JSON object: client p50/p90/p99 and each source's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dataplane"))
from harness import serving_with_iris
from run import default_dsn

from warden_common.bus.factory import create_bus
from warden_common.platform import Platform
from warden_common.settings import BusSettings, DatabaseSettings
from warden_common.testing.auth import AUTH_OFF
from warden_common.testing.servers.prometheus import private_prometheus
from warden_gateway.main import create_app as create_gateway
from warden_gateway.settings import GatewaySettings, MonitoringSettings

IRIS = {"data": {"ndarray": [[6.8, 2.8, 4.8, 1.4]]}}
PATH = "/seldon-deploy/api/v1alpha1/namespaces/bench/seldondeployments/iris/monitor/requests"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(q * len(ordered)) - 1)]


async def next_window() -> datetime:
    now = time.time()
    boundary = (int(now) // 10 + 1) * 10
    await asyncio.sleep(boundary - now)
    return datetime.fromtimestamp(boundary, UTC)


async def query(platform_: Platform, settings: GatewaySettings, params: dict[str, str]) -> dict[str, Any]:
    app = create_gateway(settings, platform_)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            body: dict[str, Any] = (await client.get(PATH, params=params)).json()
    return body["predictors"][0]["total"]


async def main(requests: int, concurrency: int) -> dict[str, Any]:
    dsn = default_dsn()
    overrides = {"request_metrics_store": "postgres", "database": DatabaseSettings(dsn=SecretStr(dsn))}
    async with serving_with_iris(dsn, prefix="bench-rm-", **overrides) as base:
        port = base.rsplit(":", 1)[1]
        with private_prometheus(Path(tempfile.mkdtemp(prefix="bench-prom-")), [f"127.0.0.1:{port}"]) as prom:
            async with httpx.AsyncClient(base_url=base, timeout=30, trust_env=False) as client:
                for _ in range(20):  # warm up; the series exist before the measured range
                    await client.post("/seldon/bench/iris/api/v1.0/predictions", json=IRIS)
                await asyncio.sleep(3)
                start = await next_window()
                await asyncio.sleep(1.5)
                latencies: list[float] = []
                remaining = iter(range(requests))

                async def worker() -> None:
                    for _ in remaining:
                        began = time.perf_counter()
                        answer = await client.post("/seldon/bench/iris/api/v1.0/predictions", json=IRIS,
                                                   headers={"Seldon-Skip-Logging": "true"})  # fmt: skip
                        latencies.append(time.perf_counter() - began)
                        assert answer.status_code == 200, answer.text

                load_began = time.monotonic()
                await asyncio.gather(*(worker() for _ in range(concurrency)))
                load_s = time.monotonic() - load_began
                end = await next_window()
                await asyncio.sleep(12)
            params = {"start": start.isoformat(), "end": end.isoformat(), "step": "10"}
            bus = create_bus(BusSettings(kind="postgres", postgres_dsn=SecretStr(dsn)))
            await bus.start()
            try:
                own = await query(
                    Platform(mode="standalone", bus=bus, database_dsn=dsn), GatewaySettings(auth=AUTH_OFF), params
                )
                monitoring = MonitoringSettings(prometheus_url=prom)
                theirs = await query(
                    Platform(mode="distributed", bus=bus), GatewaySettings(auth=AUTH_OFF, monitoring=monitoring), params
                )
            finally:
                await bus.close()
    client_ms = {f"p{int(q * 100)}": round(percentile(latencies, q) * 1000, 3) for q in (0.5, 0.9, 0.99)}

    def ms(total: dict[str, Any]) -> dict[str, Any]:
        return {"requests": total["requests"], **{k: round(v * 1000, 3) for k, v in total["latencySeconds"].items()}}

    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(), "load_average_1m": os.getloadavg()[0], "requests": requests,
        "concurrency": concurrency, "throughput_per_s": round(requests / load_s, 1),
        "client_ms": client_ms, "client_mean_ms": round(statistics.mean(latencies) * 1000, 3),
        "warden_store_ms": ms(own), "prometheus_ms": ms(theirs),
    }  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.requests, args.concurrency)), indent=2))
