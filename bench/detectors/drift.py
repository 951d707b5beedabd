"""KS drift latency per window of 1,000 rows of the income model, including the results store write (issue 10).

    uv run python bench/detectors/drift.py [--windows 200] [--reference 10000] [--window-rows 1000]

A feature-wise KS drift monitor (the income model's 12 features, names from its prediction schema) fitted on
census-like reference rows; then, per window: `DriftMonitor.add` of 1,000 rows
(which fills the count window and runs the 12 KS tests with the Bonferroni correction), `DriftResultsStore.save`
into a scratch database of the PostgreSQL that `scripts/infra/postgres` runs (started if it is not), and the
Prometheus gauges. Every fifth window is shifted (older, longer hours), so both answers are timed. Prints a
Markdown table of the per-window latency (after 10 warm-up windows) and its split: test, store write.
Target: <= 20 ms per window (p95) including the write.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import statistics
import time
from typing import Any

import asyncpg
import numpy as np

from warden_common.db import apply_migrations, load_migrations, open_pool
from warden_common.testing.servers import get_server
from warden_detectors.drift import DriftMonitor, DriftResultsStore, DriftSpec
from warden_detectors.drift.metrics import record
from warden_serving.demo.income_schema import FEATURES, prediction_schema

DATABASE = "warden_bench_drift"
WARM_UP = 10
TARGET_MS = 20.0


def _with_database(dsn: str, name: str) -> str:
    head, _, _ = dsn.rpartition("/")
    return f"{head}/{name}"


def income_rows(rows: int, seed: int) -> np.ndarray[Any, Any]:
    """Census-like rows in the income model's column order: categorical codes within each feature's categories
    (its prediction schema), integer ages and hours, capital gains and losses mostly zero. (The demo's own
    generator lives in the MLServer venv's training script, which needs xgboost.)"""
    rng = np.random.default_rng(seed)
    shares = np.random.default_rng(1234)  # the category shares: the same for the reference and the stream
    columns = []
    for feature in prediction_schema()["requests"]:
        name, categories = feature["name"], feature.get("n_categories")
        if categories is not None:
            weights = shares.dirichlet(np.ones(categories) * 2)  # uneven shares
            columns.append(rng.choice(categories, rows, p=weights))
        elif name == "Age":
            columns.append(rng.integers(17, 80, rows))
        elif name == "Hours per week":
            columns.append(np.clip(rng.normal(40, 12, rows).round(), 1, 99))
        else:  # Capital Gain / Capital Loss
            columns.append(np.where(rng.random(rows) < 0.07, rng.integers(200, 20000, rows), 0))
    return np.column_stack(columns).astype(float)


def _windows(count: int, rows: int) -> list[np.ndarray[Any, Any]]:
    x = income_rows(count * rows, seed=1)
    windows = np.split(x, count)
    age, hours = FEATURES.index("Age"), FEATURES.index("Hours per week")
    for window in windows[::5]:
        window[:, age] += 8
        window[:, hours] += 5
    return windows


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


async def run(windows: int, reference_rows: int, window_rows: int) -> dict[str, Any]:
    server = get_server("postgres")
    server.start()
    admin = await asyncpg.connect(server.endpoint)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        await admin.execute(f"CREATE DATABASE {DATABASE}")
    finally:
        await admin.close()
    dsn = _with_database(server.endpoint, DATABASE)
    try:
        await apply_migrations(dsn, "detectors", load_migrations("warden_detectors", "migrations"))
        reference = income_rows(reference_rows, seed=0)
        spec = DriftSpec(drift_batch_size=window_rows, drift_type_feature=True, feature_names=list(FEATURES))
        monitor = DriftMonitor(spec, reference, None, "income-drift")
        stream = _windows(windows + WARM_UP, window_rows)
        total, tests, writes, drifted = [], [], [], 0
        async with open_pool(dsn, max_size=2) as pool:
            store = DriftResultsStore(pool)
            for i, rows in enumerate(stream):
                started = time.perf_counter()
                (result,) = monitor.add(rows, dt.datetime.now(dt.UTC))
                tested = time.perf_counter()
                await store.save("seldon", "SeldonDeployment", "income", "income-drift", result)
                record(result, namespace="seldon", deployment="income", endpoint="default")
                done = time.perf_counter()
                if i >= WARM_UP:
                    total.append((done - started) * 1000)
                    tests.append((tested - started) * 1000)
                    writes.append((done - tested) * 1000)
                    drifted += bool(result.is_drift)
    finally:
        admin = await asyncpg.connect(server.endpoint)
        try:
            await admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        finally:
            await admin.close()
    return {"total": total, "test": tests, "write": writes, "drifted": drifted}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--windows", type=int, default=200)
    parser.add_argument("--reference", type=int, default=10_000, help="reference rows")
    parser.add_argument("--window-rows", type=int, default=1000)
    args = parser.parse_args()
    started = dt.datetime.now(dt.UTC)
    load = os.getloadavg()[0]
    out = asyncio.run(run(args.windows, args.reference, args.window_rows))
    print(
        f"{started:%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs; Python {platform.python_version()}; "
        f"1-minute load average {load:.2f} at the start, {os.getloadavg()[0]:.2f} at the end"
    )
    print(
        f"{args.windows} windows of {args.window_rows} rows x {len(FEATURES)} features, reference "
        f"{args.reference} rows; {out['drifted']} windows drifted (every fifth is shifted)\n"
    )
    print("| per window | p50 ms | p95 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|")
    for key, label in (("total", "test + store write + gauges"), ("test", "KS tests (12)"), ("write", "store write")):
        values = out[key]
        cells = [statistics.median(values), _percentile(values, 95), _percentile(values, 99), max(values)]
        print(f"| {label} | " + " | ".join(f"{v:.2f}" for v in cells) + " |")
    p95 = _percentile(out["total"], 95)
    print(f"\ntarget p95 <= {TARGET_MS:.0f} ms: {'met' if p95 <= TARGET_MS else 'NOT met'} ({p95:.2f} ms)")


if __name__ == "__main__":
    main()
