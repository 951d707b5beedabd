"""Request logger benchmark: bus -> searchable in OpenSearch, against bulk-indexing the documents directly.

    uv run python bench/request_logger/run.py [--predictions 50000] [--rounds 2] [--rate 1000] [--seconds 30]
                                              [--profile DIR]

Needs the shared Kafka and OpenSearch (`scripts/infra/kafka start`, `scripts/infra/opensearch start`); it uses
its own topics and index prefixes and deletes its indices afterwards. Three measurements, in one run:

1. ceiling: the documents the logger would write for N predictions (built by the logger's own code: parsed,
   request and response merged, turned into the adapter's final documents), bulk-indexed (`index` actions)
   straight into OpenSearch with the logger's index template, 500 per request, 4 concurrent writers, timed
   until all N are searchable (no forced refresh);
2. end to end: N predictions (request + response executor events, 2N bus events) pre-published to Kafka, then
   the logger (`python -m warden_request_logger`, its own process) started; timed from the moment it reports
   ready (interpreter start and imports excluded, as the ceiling excludes OpenSearch's; group join included)
   until all N documents are searchable with both parts. Reported as events/s and documents/s, and as % of
   the ceiling (the rate counting the logger's whole startup is printed too);
3. lag: predictions published at a steady rate (request then response, 1,000/s by default) for some seconds
   with the logger running; every 100 ms the number of complete searchable documents is sampled. Documents
   become searchable in publish order up to a refresh, so the k-th prediction's lag is taken as the first
   sample time with count >= k minus the publish time of its response. p50/p99/max are printed.

Phases 1 and 2 alternate `--rounds` times (the median ratio is printed). Beside wall-clock numbers each
phase prints CPU seconds per 1,000 predictions (the logger process; OpenSearch's indexing/refresh/merge
time on the phase's indices), which a busy machine disturbs far less.
`--profile DIR` runs the end-to-end logger under cProfile and writes DIR/logger.prof.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import orjson
from cloudevents.core.v1.event import CloudEvent
from measure import index_work, load_average, machine, opensearch_cpu_s, process_cpu_s, settle

from warden_common.bus.kafka import KafkaBus
from warden_common.logstore import InstanceWrite
from warden_common.logstore import opensearch_bulk as bulk
from warden_common.logstore.naming import INSTANCES, PAYLOADS, index_family, index_name
from warden_common.logstore.opensearch import OpenSearchLogStore
from warden_common.settings import BusSettings
from warden_request_logger.documents import DocumentBuilder, EventContext

KAFKA = os.environ.get("BENCH_KAFKA", "127.0.0.1:9092")
OPENSEARCH = os.environ.get("BENCH_OPENSEARCH", "http://127.0.0.1:9200")
PARTITIONS = 4
NAMES = ["Age", "Workclass", "Education", "Marital Status", "Occupation", "Relationship", "Race", "Sex",
         "Capital Gain", "Capital Loss", "Hours per week", "Country"]  # fmt: skip


def prediction(n: int, tag: str) -> tuple[str, CloudEvent, CloudEvent]:
    rid = f"{tag}-{n:07d}"
    common = {
        "source": "http://income-default:8000/",
        "datacontenttype": "application/json",
        "requestid": rid,
        "modelid": "classifier",
        "inferenceservicename": "income",
        "namespace": "bench",
        "endpoint": "default",
    }
    request = CloudEvent(
        {**common, "type": "io.seldon.serving.inference.request", "id": str(uuid.uuid4())},
        data={"data": {"names": NAMES, "ndarray": [[n % 90, 4, 0, 2, 8, 4, 2, 0, 0, 0, 60, 9]]}},
    )
    response = CloudEvent({**common, "type": "io.seldon.serving.inference.response", "id": str(uuid.uuid4())},
                          data={"data": {"names": ["t:0", "t:1"], "ndarray": [[0.86, 0.14]]}})  # fmt: skip
    return rid, request, response


async def count_complete(client: httpx.AsyncClient, prefix: str) -> int:
    query = {"bool": {"filter": [{"exists": {"field": "request.time"}}, {"exists": {"field": "response.time"}}]}}
    answer = await client.post(f"/{prefix}inference-log.*/_count", json={"query": query},
                               params={"ignore_unavailable": "true", "allow_no_indices": "true"})  # fmt: skip
    return int(answer.json().get("count", 0)) if answer.status_code == 200 else 0


async def wait_searchable(client: httpx.AsyncClient, prefix: str, n: int, timeout_s: float = 900) -> float:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if await count_complete(client, prefix) >= n:
            return time.monotonic()
        await asyncio.sleep(0.05)
    raise TimeoutError(f"{n} documents not searchable after {timeout_s}s")


def final_documents(prefix: str, n: int) -> list[str]:
    """The NDJSON `index` lines of the documents the logger ends up storing for n predictions."""
    builder = DocumentBuilder(max_payload_bytes=8 * 1024 * 1024)
    lines = []
    for i in range(n):
        _, request, response = prediction(i, "ceiling")
        writes = [*builder.build(request, EventContext.of(request), None),
                  *builder.build(response, EventContext.of(response), None)]  # fmt: skip
        for merged, _ in bulk.coalesce(writes):
            assert isinstance(merged, InstanceWrite)
            action = {"index": {"_index": index_name(prefix, INSTANCES, merged.ref), "_id": merged.doc_id}}
            lines.append(f"{orjson.dumps(action).decode()}\n{orjson.dumps(bulk.instance_source(merged)).decode()}\n")
    return lines


async def ceiling(n: int) -> float:
    """Plain bulk `index` of the final documents (request and response already merged), no logger involved."""
    prefix = f"bench{uuid.uuid4().hex[:6]}-"
    lines = final_documents(prefix, n)
    store = OpenSearchLogStore(OPENSEARCH, prefix=prefix)
    await store.start()  # the same index templates as the logger's
    async with httpx.AsyncClient(base_url=OPENSEARCH, timeout=120) as client:
        try:
            queue = ["".join(lines[i : i + 500]) for i in range(0, n, 500)]
            await asyncio.to_thread(settle)
            os_cpu = await opensearch_cpu_s(client)
            started = time.monotonic()

            async def writer() -> None:
                while queue:
                    answer = await client.post("/_bulk", content=queue.pop(0),
                                               headers={"content-type": "application/x-ndjson"})  # fmt: skip
                    assert answer.status_code == 200 and not answer.json()["errors"], answer.text[:500]

            await asyncio.gather(*(writer() for _ in range(PARTITIONS)))
            done = await wait_searchable(client, prefix, n)
            os_cpu = await opensearch_cpu_s(client) - os_cpu
            print(f"  OpenSearch: node CPU {1000 * os_cpu / n:.2f} s per 1,000 predictions; "
                  f"{(await index_work(client, prefix)).per_thousand(n)}")  # fmt: skip
            return n / (done - started)
        finally:
            await store.close()
            await forget(client, prefix)


def start_logger(topic: str, prefix: str, port: int, profile: Path | None = None) -> asyncio.Future[Any]:
    env = {**os.environ, "WARDEN_LOGGER_PORT": str(port), "WARDEN_LOGGER_BUS__KIND": "kafka",
           "WARDEN_LOGGER_BUS__KAFKA_BOOTSTRAP": KAFKA, "WARDEN_LOGGER_BUS__PARTITIONS": str(PARTITIONS),
           "WARDEN_LOGGER_STORE": "opensearch", "WARDEN_LOGGER_OPENSEARCH__URL": OPENSEARCH,
           "WARDEN_LOGGER_OPENSEARCH__INDEX_PREFIX": prefix, "WARDEN_LOGGER_INPUT_TOPICS": f'["{topic}"]',
           "WARDEN_LOGGER_CONSUMER_GROUP": f"bench-{topic}", "WARDEN_LOGGER_INSTANCE_ID": topic,
           "WARDEN_LOGGER_LOG_LEVEL": "WARNING"}  # fmt: skip
    profiling = ["-m", "cProfile", "-o", str(profile)] if profile else []
    return asyncio.ensure_future(asyncio.create_subprocess_exec(
        sys.executable, *profiling, "-m", "warden_request_logger", env=env, stdout=asyncio.subprocess.DEVNULL,
    ))  # fmt: skip


async def stop(process: asyncio.subprocess.Process) -> None:
    # SIGINT: uvicorn shuts down cleanly, then re-raises it as KeyboardInterrupt, which cProfile survives to write
    # its file (a re-raised SIGTERM would kill the process before that).
    process.send_signal(signal.SIGINT)
    await process.wait()


async def forget(client: httpx.AsyncClient, prefix: str) -> None:
    """Delete a phase's indices and the index templates its logger (or the ceiling's store) put."""
    await client.delete(f"/{prefix}*")
    for kind in (INSTANCES, PAYLOADS):
        await client.delete(f"/_index_template/{index_family(prefix, kind)}")


async def wait_ready(port: int, timeout_s: float = 120) -> float:
    """When the logger answers /health/ready (its subscriptions are started: it may have begun consuming)."""
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=2) as client:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                if (await client.get("/health/ready")).status_code == 200:
                    return time.monotonic()
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.02)
    raise TimeoutError(f"the logger was not ready after {timeout_s}s")


async def publish(bus: KafkaBus, topic: str, items: list[tuple[str, CloudEvent, CloudEvent]]) -> None:
    await asyncio.gather(*(bus.publish(req, topic=topic, key=rid) for rid, req, _ in items))
    await asyncio.gather(*(bus.publish(resp, topic=topic, key=rid) for rid, _, resp in items))


async def end_to_end(bus: KafkaBus, n: int, profile: Path | None) -> float:
    topic, prefix = f"bench-{uuid.uuid4().hex[:8]}", f"bench{uuid.uuid4().hex[:6]}-"
    items = [prediction(i, "e2e") for i in range(n)]
    for start in range(0, n, 1000):
        await publish(bus, topic, items[start : start + 1000])
    async with httpx.AsyncClient(base_url=OPENSEARCH, timeout=60) as client:
        await asyncio.to_thread(settle)
        os_cpu = await opensearch_cpu_s(client)
        started = time.monotonic()
        process = await start_logger(topic, prefix, 18931, profile)
        try:
            ready, startup_cpu = await wait_ready(18931), process_cpu_s(process.pid)
            done = await wait_searchable(client, prefix, n)
            cpu = process_cpu_s(process.pid) - startup_cpu
            os_cpu = await opensearch_cpu_s(client) - os_cpu
            print(f"  logger: ready {ready - started:.1f} s after its start ({startup_cpu:.1f} CPU s); then "
                  f"{1000 * cpu / n:.2f} CPU s per 1,000 predictions; OpenSearch node CPU {1000 * os_cpu / n:.2f} s "
                  f"per 1,000; {n / (done - started):,.0f} documents/s counting the logger's startup")  # fmt: skip
            print(f"  OpenSearch: {(await index_work(client, prefix)).per_thousand(n)}")
            return n / (done - ready)
        finally:
            await stop(process)
            await forget(client, prefix)


async def lag(bus: KafkaBus, rate: int, seconds: int) -> dict[str, float]:
    topic, prefix = f"bench-{uuid.uuid4().hex[:8]}", f"bench{uuid.uuid4().hex[:6]}-"
    total = rate * seconds
    async with httpx.AsyncClient(base_url=OPENSEARCH, timeout=60) as client:
        await bus.publish(prediction(0, "warm")[1], topic=topic, key="warm")  # topic exists before the logger
        process = await start_logger(topic, prefix, 18932)
        try:
            await wait_ready(18932)
            await asyncio.sleep(3)  # the logger joins its group
            sent_at: list[float] = []
            samples: list[tuple[float, int]] = []
            stop_sampling = asyncio.Event()

            async def sample() -> None:
                while not stop_sampling.is_set():
                    samples.append((time.monotonic(), await count_complete(client, prefix)))
                    await asyncio.sleep(0.1)

            sampler = asyncio.create_task(sample())
            cpu = process_cpu_s(process.pid)
            started = time.monotonic()
            tick = 0.05
            per_tick = max(1, int(rate * tick))
            for k in range(0, total, per_tick):
                items = [prediction(i, "lag") for i in range(k, min(k + per_tick, total))]
                await publish(bus, topic, items)
                sent_at.extend([time.monotonic()] * len(items))
                ahead = started + (k + per_tick) / rate - time.monotonic()
                if ahead > 0:
                    await asyncio.sleep(ahead)
            achieved = total / (time.monotonic() - started)
            await wait_searchable(client, prefix, total)
            cpu = process_cpu_s(process.pid) - cpu
            stop_sampling.set()
            await sampler
            print(f"  logger CPU at a steady rate: {1000 * cpu / total:.2f} s per 1,000 predictions")
        finally:
            await stop(process)
            await forget(client, prefix)
    lags, at = [], 0
    for k, sent in enumerate(sent_at, start=1):
        while at < len(samples) and samples[at][1] < k:
            at += 1
        seen = samples[at][0] if at < len(samples) else time.monotonic()
        lags.append(max(0.0, seen - sent))
    quantiles = statistics.quantiles(lags, n=100)
    # A lag that grows window after window means the logger fell behind; isolated peaks are stalls.
    window = 5 * rate
    peaks = [f"{max(lags[i : i + window]):.1f}" for i in range(0, len(lags), window)]
    print(f"  worst lag per 5 s of publishing: {', '.join(peaks)} s")
    return {"achieved_rate": achieved, "p50": quantiles[49], "p99": quantiles[98], "max": max(lags)}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--predictions", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=2, help="ceiling / end-to-end pairs, alternated")
    parser.add_argument("--rate", type=int, default=1_000, help="predictions/s of the lag run")
    parser.add_argument("--seconds", type=int, default=30, help="length of the lag run (0: skip it)")
    parser.add_argument("--profile", type=Path, help="directory for a cProfile of the end-to-end logger")
    parser.add_argument("--skip-ceiling", action="store_true", help="profiling runs: no ceiling phase")
    args = parser.parse_args()
    print(machine())
    bus = KafkaBus(BusSettings(kind="kafka", kafka_bootstrap=KAFKA, partitions=PARTITIONS))
    await bus.start()
    ratios: list[float] = []
    try:
        # Alternating the two measurements spreads whatever else the machine does over both of them.
        for _ in range(args.rounds):
            top = float("nan")
            if not args.skip_ceiling:
                top = await ceiling(args.predictions)
                print(f"ceiling (direct bulk of pre-built documents): {top:,.0f} documents/s")
            profile = args.profile / "logger.prof" if args.profile else None
            e2e = await end_to_end(bus, args.predictions, profile)
            ratios.append(e2e / top)
            print(f"end to end (bus -> searchable): {e2e:,.0f} documents/s = {2 * e2e:,.0f} events/s "
                  f"= {100 * e2e / top:.0f}% of the ceiling")  # fmt: skip
        if len(ratios) > 1:
            print(f"end to end / ceiling over {len(ratios)} rounds: median {100 * statistics.median(ratios):.0f}%")
        if args.seconds > 0:
            result: dict[str, Any] = await lag(bus, args.rate, args.seconds)
            print(f"lag at {args.rate}/s for {args.seconds}s (achieved {result['achieved_rate']:,.0f}/s): "
                  f"p50 {result['p50']:.2f}s, p99 {result['p99']:.2f}s, max {result['max']:.2f}s")  # fmt: skip
    finally:
        await bus.close()
    print(f"load average at the end: {load_average()}")


if __name__ == "__main__":
    asyncio.run(main())
