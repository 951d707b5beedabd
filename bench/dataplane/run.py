"""Data-plane overhead: the same MLServer process called directly vs through Warden, in the same run.

    uv run python bench/dataplane/run.py [--postgres DSN] [--requests 1000] [--out results.json]

Starts the serving service (uvicorn, PostgreSQL bus, real MLServer) with the iris scikit-learn demo model,
then measures latency p50/p99 at concurrency 1 and 16 for: MLServer V2 directly, Warden V2 (`/v2/models/...`),
Warden Seldon protocol; each through Warden with logging on (events durable on the bus before the reply) and
off (`Seldon-Skip-Logging: true`). Throughput = requests / wall time at concurrency 16. Client and servers share
the machine, so absolute numbers include the load generator's own CPU use. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from harness import serving_with_iris  # a sibling module: this folder is run as scripts

ROWS = [[6.8, 2.8, 4.8, 1.4], [6.1, 3.4, 4.5, 1.6]]
SELDON = {"data": {"names": ["a", "b", "c", "d"], "ndarray": ROWS}}
V2 = {
    "inputs": [{"name": "input-0", "shape": [2, 4], "datatype": "FP64", "data": [v for r in ROWS for v in r]}],
    "outputs": [{"name": "predict_proba"}],
}


def default_dsn() -> str:
    from warden_common.testing.servers import get_server
    from warden_common.testing.servers.databases import create_database, with_database
    from warden_common.testing.servers.tools import run_sync

    server = get_server("postgres")
    server.start()
    name = f"bench_{uuid.uuid4().hex[:8]}"
    run_sync(lambda: create_database(server.endpoint, name))
    return with_database(server.endpoint, name)


async def measure(client: httpx.AsyncClient, url: str, body: Any, headers: dict[str, str], count: int,
                  concurrency: int) -> dict[str, float]:  # fmt: skip
    latencies: list[float] = []
    jobs = iter(range(count))

    async def worker() -> None:
        for _ in jobs:
            start = time.perf_counter()
            response = await client.post(url, json=body, headers=headers)
            latencies.append(time.perf_counter() - start)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: {response.status_code} {response.text}")

    for _ in range(50):  # warm-up: connections, caches
        await client.post(url, json=body, headers=headers)
    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - began
    ordered = sorted(latencies)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 3),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 3),
        "rps": round(count / wall, 1),
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    dsn = args.postgres or default_dsn()
    results: dict[str, Any] = {}
    async with (
        serving_with_iris(dsn, prefix="warden-bench-") as base,
        httpx.AsyncClient(timeout=60, trust_env=False, limits=httpx.Limits(max_connections=64)) as client,
    ):
        resources_url = f"{base}/api/v1alpha1/namespaces/bench/seldondeployments/iris/resources"
        resources = (await client.get(resources_url, params={"view": "processes"})).json()
        direct = f"http://127.0.0.1:{resources['predictors'][0]['replicas'][0]['port']}/v2/models/classifier/infer"
        skip = {"Seldon-Skip-Logging": "true"}
        v2_url = f"{base}/seldon/bench/iris/v2/models/classifier/infer"
        seldon_url = f"{base}/seldon/bench/iris/api/v1.0/predictions"
        targets = {
            "mlserver_direct_v2": (direct, V2, {}),
            "warden_v2_logging_off": (v2_url, V2, skip),
            "warden_v2_logging_on": (v2_url, V2, {}),
            "warden_seldon_logging_off": (seldon_url, SELDON, skip),
            "warden_seldon_logging_on": (seldon_url, SELDON, {}),
        }  # fmt: skip
        for concurrency in (1, 16):
            for name, (url, body, headers) in targets.items():
                count = args.requests if concurrency == 1 else args.requests * 2
                results[f"{name}_c{concurrency}"] = await measure(client, url, body, headers, count, concurrency)
    for c in (1, 16):
        direct_p50 = results[f"mlserver_direct_v2_c{c}"]["p50_ms"]
        results[f"added_p50_ms_v2_logging_off_c{c}"] = round(
            results[f"warden_v2_logging_off_c{c}"]["p50_ms"] - direct_p50, 3
        )
        results[f"added_p50_ms_v2_logging_on_c{c}"] = round(
            results[f"warden_v2_logging_on_c{c}"]["p50_ms"] - direct_p50, 3
        )
    return {"machine": {"python": platform.python_version()}, "results": results}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", help="DSN of an empty database for the bus (default: the infra PostgreSQL)")
    parser.add_argument("--requests", type=int, default=1000, help="requests per measurement at concurrency 1")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    parsed = parser.parse_args()
    output = asyncio.run(main(parsed))
    text = json.dumps(output, indent=2)
    print(text)
    if parsed.out:
        parsed.out.write_text(text)
