"""Feature distribution queries over 1,000,000 logged income predictions, on OpenSearch and on PostgreSQL.

    uv run --no-sync python bench/distributions/run.py [--instances 1000000] [--queries 20] [--store both]
                                                      [--keep] [--reuse]

Loads the same instances into each store through the store's own `write` (the logger's write path, without the
bus or HTTP in front): income rows (12 features named and categorised by the prediction schema, a PROBA output),
spread over 24 hours, in database `bench_distributions` / index prefix `bench-distributions-`. Then times
`LogStore.distribution` - the query the API runs, answered by the store - for five queries, each `--queries` times
after one warm-up: p50 / p95 per query and store. `--reuse` skips loading when the data is there and finishes an
interrupted load (`--keep` leaves the data for that); without `--keep` the database and indices are dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import numpy as np

from warden_common.logstore import DeploymentRef, InstanceWrite, LogStore
from warden_common.logstore.distributions import CohortCondition, DistributionQuery
from warden_common.logstore.opensearch import OpenSearchLogStore
from warden_common.logstore.postgres import PostgresLogStore
from warden_common.testing.servers import get_server

REF = DeploymentRef("bench", "income")
DATABASE, PREFIX = "bench_distributions", "bench-distributions-"
START = datetime(2026, 1, 5, tzinfo=UTC)
END = START + timedelta(hours=24)
EDUCATION = ["Associates", "Bachelors", "Doctorate", "Dropout", "High School grad", "Masters", "Prof-School"]
WORKCLASS = ["?", "Federal-gov", "Local-gov", "Never-worked", "Private", "Self-emp-inc", "Self-emp-not-inc",
             "State-gov", "Without-pay"]  # fmt: skip
MARITAL = ["Married", "Never-Married", "Separated", "Widowed"]
OCCUPATION = ["?", "Admin", "Blue-Collar", "Military", "Other", "Professional", "Sales", "Service", "White-Collar"]
RELATIONSHIP = ["Husband", "Not-in-family", "Other-relative", "Own-child", "Unmarried", "Wife"]
RACE = ["Amer-Indian-Eskimo", "Asian-Pac-Islander", "Black", "Other", "White"]
SEX = ["Female", "Male"]
CLASSES = ("<=$50K", ">$50K")
CHUNK = 5_000


def _columns(count: int, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    age = rng.integers(17, 91, count)
    education = rng.integers(0, len(EDUCATION), count)
    high = np.clip(0.05 + age / 200 + np.isin(education, [1, 2, 5, 6]) * 0.2 + rng.normal(0, 0.05, count), 0, 1)
    return {
        "age": age, "education": education, "high": np.round(high, 4),
        "workclass": rng.integers(0, len(WORKCLASS), count), "marital": rng.integers(0, len(MARITAL), count),
        "occupation": rng.integers(0, len(OCCUPATION), count), "relationship": rng.integers(0, 6, count),
        "race": rng.integers(0, 5, count), "sex": rng.integers(0, 2, count),
        "gain": rng.choice([0, 0, 0, 2174, 5178, 15024], count), "hours": rng.integers(10, 80, count),
        "seconds": np.sort(rng.uniform(0, 86_400, count)),
    }  # fmt: skip


NAMES = ["Age", "Workclass", "Education", "Marital Status", "Occupation", "Relationship", "Race", "Sex",
         "Capital Gain", "Capital Loss", "Hours per week", "Country"]  # fmt: skip


def _part(when: str, names: list[str], row: list[Any]) -> dict[str, Any]:
    return {"time": when, "ceId": f"{when}-{row[0]}", "modelId": "classifier", "contentType": "application/json",
            "dataType": "tabular", "names": names, "batchSize": 1, "instance": row, "payloadStored": "inline",
            "payload": {"data": {"names": names, "ndarray": [row]}}}  # fmt: skip


def instances(first: int, count: int) -> list[InstanceWrite]:
    """Instances `first` .. `first + count - 1`: the same ones on every run and in every store."""
    c = _columns(count, seed=first)
    writes = []
    for i in range(count):
        n = first + i
        high = float(c["high"][i])
        when = (START + timedelta(seconds=float(c["seconds"][i]))).isoformat()
        row = [int(c[k][i]) for k in ("age", "workclass", "education", "marital", "occupation", "relationship", "race",
                                      "sex", "gain")] + [0, int(c["hours"][i]), 9]  # fmt: skip
        proba = [round(1 - high, 4), high]
        fields = {
            "requestId": f"r{n}", "itemIndex": 0, "endpoint": "default", "engine": "seldon", "protocol": "seldon",
            "modelId": "classifier", "timestamp": when,
            # What the logger stores besides the elements (a lone instance keeps its payload inline).
            "request": {**_part(when, NAMES, row), "elements": {
                "Age": int(c["age"][i]), "Workclass": WORKCLASS[c["workclass"][i]],
                "Education": EDUCATION[c["education"][i]], "Marital Status": MARITAL[c["marital"][i]],
                "Occupation": OCCUPATION[c["occupation"][i]], "Relationship": RELATIONSHIP[c["relationship"][i]],
                "Race": RACE[c["race"][i]], "Sex": SEX[c["sex"][i]], "Capital Gain": int(c["gain"][i]),
                "Capital Loss": 0, "Hours per week": int(c["hours"][i]), "Country": "United-States"}},
            "response": {**_part(when, ["t:0", "t:1"], proba),
                         "elements": {"Income": {CLASSES[0]: proba[0], CLASSES[1]: proba[1]}}},
        }  # fmt: skip
        writes.append(InstanceWrite(REF, f"r{n}-item-0", fields))
    return writes


async def load(store: LogStore, total: int, start: int = 0) -> float:
    """Write instances `start` .. `total - 1` (rewriting one is harmless: writes are idempotent upserts)."""
    began = time.monotonic()
    for first in range(start - start % CHUNK, total, CHUNK):
        rejected = await store.write(instances(first, min(CHUNK, total - first)))
        if rejected:
            raise SystemExit(f"the store refused {len(rejected)} instances: {rejected[0].reason}")
        if first % 100_000 == 0:
            print(f"  {first:,} loaded ({time.monotonic() - began:.0f}s)", file=sys.stderr)
    await store.refresh()
    return time.monotonic() - began


COHORT = (
    CohortCondition("request", "Age", gte=25, lte=50),
    CohortCondition("request", "Education", terms=("High School grad", "Dropout")),
)


def queries() -> dict[str, DistributionQuery]:
    base = DistributionQuery(namespace=REF.namespace, deployment=REF.deployment, part="response", feature="Income",
                             kind="classes", classes=CLASSES, start=START, end=END, histogram_interval=0.1)  # fmt: skip
    age = DistributionQuery(namespace=REF.namespace, deployment=REF.deployment, part="request", feature="Age",
                            kind="numbers", start=START, end=END, histogram_interval=11)  # fmt: skip
    education = DistributionQuery(namespace=REF.namespace, deployment=REF.deployment, part="request",
                                  feature="Education", kind="categories", start=START, end=END)  # fmt: skip
    from dataclasses import replace

    return {
        "Income (PROBA), whole day": base,
        "Income (PROBA), cohort Age 25-50 + Education in 2": replace(base, cohort=COHORT),
        "Age (REAL) histogram, 30 time slices": replace(age, time_buckets=30),
        "Age (REAL) histogram, cohort, 30 time slices": replace(age, time_buckets=30, cohort=COHORT),
        "Education (CATEGORICAL), cohort Age 25-50": replace(education, cohort=COHORT[:1]),
    }


async def measure(store: LogStore, runs: int) -> dict[str, tuple[float, float, int]]:
    results = {}
    for label, query in queries().items():
        answer = await store.distribution(query)  # warm-up
        times = []
        for _ in range(runs):
            began = time.perf_counter()
            await store.distribution(query)
            times.append((time.perf_counter() - began) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        results[label] = (statistics.median(times), p95, answer.overall.instances)
    return results


async def _count(store: LogStore) -> int:
    return (await store.distribution(queries()["Income (PROBA), whole day"])).overall.instances


async def run_store(kind: str, args: argparse.Namespace) -> None:
    server = get_server("postgres" if kind == "postgres" else "opensearch")
    server.start()
    if kind == "postgres":
        admin = await asyncpg.connect(server.endpoint)
        try:
            if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", DATABASE):
                await admin.execute(f'CREATE DATABASE "{DATABASE}"')  # a constant, not input
        finally:
            await admin.close()
        store: LogStore = PostgresLogStore(server.endpoint.rsplit("/", 1)[0] + "/" + DATABASE, max_retry_s=600)
    else:
        store = OpenSearchLogStore(
            server.endpoint, prefix=PREFIX, refresh_interval="30s", max_retry_s=600, timeout_s=120
        )  # a shared machine: ride out OpenSearch's busy spells
    await store.start()
    try:
        present = await _count(store)
        if present != args.instances or not args.reuse:
            if present and not args.reuse:
                raise SystemExit(f"{kind}: {present:,} instances are there already: --reuse them or drop them")
            took = await load(store, args.instances, start=present)  # an interrupted load goes on where it was
            print(f"{kind}: loaded {args.instances:,} instances in {took:.0f}s", file=sys.stderr)
        if kind == "postgres":
            conn = await asyncpg.connect(server.endpoint.rsplit("/", 1)[0] + "/" + DATABASE)
            await conn.execute("VACUUM ANALYZE warden_logs.instances")
            await conn.close()
        else:
            async with httpx.AsyncClient(base_url=server.endpoint, timeout=600) as client:
                await client.post(f"/{PREFIX}*/_forcemerge", params={"max_num_segments": 1})
                # Time the aggregations, not OpenSearch's shard request cache (which answers a repeated size-0
                # search from memory until the next refresh).
                await client.put(f"/{PREFIX}*/_settings", json={"index.requests.cache.enable": False})
        print(f"\n{kind} ({await _count(store):,} instances), load average {os.getloadavg()[0]:.2f}")
        for label, (p50, p95, matched) in (await measure(store, args.queries)).items():
            print(f"  {label:<52} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  ({matched:,} instances)")
        print(f"  load average after: {os.getloadavg()[0]:.2f}")
    finally:
        await store.close()
    if not args.keep:
        await _drop(kind, server.endpoint)


async def _drop(kind: str, endpoint: str) -> None:
    if kind == "postgres":
        admin = await asyncpg.connect(endpoint)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}"')
        finally:
            await admin.close()
    else:
        async with httpx.AsyncClient(base_url=endpoint, timeout=120) as client:
            await client.delete(f"/{PREFIX}*", params={"expand_wildcards": "all"})
            for family in ("inference-log", "inference-payload"):
                await client.delete(f"/_index_template/{PREFIX}{family}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instances", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=20, help="timed runs per query (after one warm-up)")
    parser.add_argument("--store", choices=["opensearch", "postgres", "both"], default="both")
    parser.add_argument("--keep", action="store_true", help="leave the loaded data for a later --reuse")
    parser.add_argument("--reuse", action="store_true", help="use the data a --keep run left")
    args = parser.parse_args()
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}"
    )
    for kind in ("opensearch", "postgres") if args.store == "both" else (args.store,):
        await run_store(kind, args)


if __name__ == "__main__":
    asyncio.run(main())
