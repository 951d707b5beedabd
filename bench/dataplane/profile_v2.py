"""Where the V2 proxy spends its time: interleaved c=1 latencies and a cProfile of the serving process's handlers.

    uv run python bench/dataplane/profile_v2.py [--requests 500] [--profile out.pstats]

Same setup as run.py (serving on uvicorn in this process, PostgreSQL bus, one MLServer for the iris demo model),
but the three paths are called in turn within each round (direct, Warden V2, Warden Seldon; logging off), so a
load spike on the shared machine hits all three alike. With --profile, cProfile records this whole process (client
and serving share the event loop) for a second round of V2 calls; the top entries by cumulative time are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import pstats
import statistics
import time
from pathlib import Path
from typing import Any

import httpx
from harness import serving_with_iris
from run import SELDON, V2, default_dsn


async def timed(client: httpx.AsyncClient, url: str, body: Any, headers: dict[str, str]) -> tuple[float, float]:
    """Wall time and this thread's CPU time of one call (client and serving share the thread, MLServer does not)."""
    start, cpu = time.perf_counter(), time.thread_time()
    response = await client.post(url, json=body, headers=headers)
    elapsed, cpu_used = time.perf_counter() - start, time.thread_time() - cpu
    if response.status_code != 200:
        raise RuntimeError(f"{url}: {response.status_code} {response.text}")
    return elapsed, cpu_used


async def main(args: argparse.Namespace) -> dict[str, Any]:
    dsn = args.postgres or default_dsn()
    skip = {"Seldon-Skip-Logging": "true"}
    out: dict[str, Any] = {}
    async with (
        serving_with_iris(dsn, prefix="warden-profile-") as base,
        httpx.AsyncClient(timeout=60, trust_env=False) as client,
    ):
        path = f"{base}/api/v1alpha1/namespaces/bench/seldondeployments/iris/resources"
        processes = (await client.get(path, params={"view": "processes"})).json()
        direct = f"http://127.0.0.1:{processes['predictors'][0]['replicas'][0]['port']}/v2/models/classifier/infer"
        paths = {
            "direct_v2": (direct, V2, {}),
            "warden_v2": (f"{base}/seldon/bench/iris/v2/models/classifier/infer", V2, skip),
            "warden_seldon": (f"{base}/seldon/bench/iris/api/v1.0/predictions", SELDON, skip),
        }
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in paths}
        for _ in range(50):  # warm-up
            for url, body, headers in paths.values():
                await timed(client, url, body, headers)
        for _ in range(args.requests):
            for name, (url, body, headers) in paths.items():
                samples[name].append(await timed(client, url, body, headers))
        for name, values in samples.items():
            out[f"{name}_p50_ms"] = round(statistics.median(v[0] for v in values) * 1000, 3)
            out[f"{name}_cpu_ms"] = round(statistics.mean(v[1] for v in values) * 1000, 3)
        out["added_p50_ms_v2"] = round(out["warden_v2_p50_ms"] - out["direct_v2_p50_ms"], 3)
        out["added_p50_ms_seldon"] = round(out["warden_seldon_p50_ms"] - out["direct_v2_p50_ms"], 3)
        if args.profile:
            url, body, headers = paths["warden_v2"]
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.requests):
                await timed(client, url, body, headers)
            profiler.disable()
            profiler.dump_stats(args.profile)
            text = io.StringIO()
            pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(35)
            print(text.getvalue())
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", help="DSN of an empty database for the bus (default: the infra PostgreSQL)")
    parser.add_argument("--requests", type=int, default=500, help="rounds (one call per path each)")
    parser.add_argument("--profile", type=Path, help="write a cProfile of V2 calls here and print its top entries")
    print(json.dumps(asyncio.run(main(parser.parse_args())), indent=2))
