"""Request logger benchmark: bus -> searchable in OpenSearch, against bulk-indexing the documents directly.

    uv run python bench/request_logger/run.py [--predictions 20000] [--rate 1000] [--seconds 30]

Needs the shared Kafka and OpenSearch (`scripts/infra/kafka start`, `scripts/infra/opensearch start`); it uses
its own topics and index prefixes and deletes its indices afterwards. Three measurements, in one run:

1. ceiling: the documents the logger would write for N predictions (one complete document each: request and
   response merged), pre-built, bulk-indexed (`index` actions) straight into OpenSearch with the logger's index
   template, batches of 500, 4 concurrent writers, timed until all N are searchable (no forced refresh);
2. end to end: N predictions (request + response executor events, 2N bus events) pre-published to Kafka, then
   the logger (`python -m warden_request_logger`, its own process) started; timed from its start until all N
   documents are searchable with both parts. Reported as events/s and documents/s, and as % of the ceiling;
3. lag: predictions published at a steady rate (request then response, 1,000/s by default) for some seconds
   with the logger running; every 100 ms the number of complete searchable documents is sampled. Documents
   become searchable in publish order up to a refresh, so the k-th prediction's lag is taken as the first
   sample time with count >= k minus the publish time of its response. p50/p99/max are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from cloudevents.core.v1.event import CloudEvent

from warden_common.bus.kafka import KafkaBus
from warden_common.logstore import InstanceWrite
from warden_common.logstore.naming import INSTANCES, index_name
from warden_common.logstore.opensearch import OpenSearchLogStore
from warden_common.settings import BusSettings
from warden_request_logger.documents import DocumentBuilder, EventContext

KAFKA = os.environ.get("BENCH_KAFKA", "127.0.0.1:9092")
OPENSEARCH = os.environ.get("BENCH_OPENSEARCH", "http://127.0.0.1:9200")
PARTITIONS = 4


def prediction(n: int, tag: str) -> tuple[str, CloudEvent, CloudEvent]:
    rid = f"{tag}-{n:07d}"
    common = {"source": "http://income-default:8000/", "datacontenttype": "application/json", "requestid": rid,
              "modelid": "classifier", "inferenceservicename": "income", "namespace": "bench", "endpoint": "default"}
    request = CloudEvent({**common, "type": "io.seldon.serving.inference.request", "id": str(uuid.uuid4())},
                         data={"data": {"names": ["Age", "Workclass", "Education", "Marital Status", "Occupation",
                                                  "Relationship", "Race", "Sex", "Capital Gain", "Capital Loss",
                                                  "Hours per week", "Country"],
                                        "ndarray": [[n % 90, 4, 0, 2, 8, 4, 2, 0, 0, 0, 60, 9]]}})
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


async def ceiling(n: int) -> float:
    """Plain bulk `index` of the final documents (request and response already merged), no logger involved."""
    prefix = f"bench{uuid.uuid4().hex[:6]}-"
    builder = DocumentBuilder(max_payload_bytes=8 * 1024 * 1024)
    bodies = []
    for i in range(n):
        _, request, response = prediction(i, "ceiling")
        [req] = builder.build(request, EventContext.of(request), None)
        [resp] = builder.build(response, EventContext.of(response), None)
        assert isinstance(req, InstanceWrite) and isinstance(resp, InstanceWrite)
        index = index_name(prefix, INSTANCES, req.ref)
        source = {**req.fields, **resp.fields, "docId": req.doc_id, "namespace": req.ref.namespace,
                  "deployment": req.ref.deployment}  # fmt: skip
        bodies.append(f"{json.dumps({'index': {'_index': index, '_id': req.doc_id}})}\n{json.dumps(source)}\n")
    store = OpenSearchLogStore(OPENSEARCH, prefix=prefix)
    await store.start()  # the same index templates as the logger's
    async with httpx.AsyncClient(base_url=OPENSEARCH, timeout=120) as client:
        try:
            queue = ["".join(bodies[i : i + 500]) for i in range(0, n, 500)]
            started = time.monotonic()

            async def writer() -> None:
                while queue:
                    answer = await client.post("/_bulk", content=queue.pop(0),
                                               headers={"content-type": "application/x-ndjson"})  # fmt: skip
                    assert answer.status_code == 200 and not answer.json()["errors"], answer.text[:500]

            await asyncio.gather(*(writer() for _ in range(PARTITIONS)))
            done = await wait_searchable(client, prefix, n)
            return n / (done - started)
        finally:
            await store.close()
            await client.delete(f"/{prefix}*")


def start_logger(topic: str, prefix: str, port: int) -> asyncio.Future[asyncio.subprocess.Process]:
    env = {**os.environ, "WARDEN_LOGGER_PORT": str(port), "WARDEN_LOGGER_BUS__KIND": "kafka",
           "WARDEN_LOGGER_BUS__KAFKA_BOOTSTRAP": KAFKA, "WARDEN_LOGGER_BUS__PARTITIONS": str(PARTITIONS),
           "WARDEN_LOGGER_STORE": "opensearch", "WARDEN_LOGGER_OPENSEARCH__URL": OPENSEARCH,
           "WARDEN_LOGGER_OPENSEARCH__INDEX_PREFIX": prefix, "WARDEN_LOGGER_INPUT_TOPICS": f'["{topic}"]',
           "WARDEN_LOGGER_CONSUMER_GROUP": f"bench-{topic}", "WARDEN_LOGGER_INSTANCE_ID": topic,
           "WARDEN_LOGGER_LOG_LEVEL": "WARNING"}  # fmt: skip
    return asyncio.ensure_future(asyncio.create_subprocess_exec(
        sys.executable, "-m", "warden_request_logger", env=env, stdout=asyncio.subprocess.DEVNULL,
    ))  # fmt: skip


async def publish(bus: KafkaBus, topic: str, items: list[tuple[str, CloudEvent, CloudEvent]]) -> None:
    await asyncio.gather(*(bus.publish(req, topic=topic, key=rid) for rid, req, _ in items))
    await asyncio.gather(*(bus.publish(resp, topic=topic, key=rid) for rid, _, resp in items))


async def end_to_end(bus: KafkaBus, n: int) -> float:
    topic, prefix = f"bench-{uuid.uuid4().hex[:8]}", f"bench{uuid.uuid4().hex[:6]}-"
    items = [prediction(i, "e2e") for i in range(n)]
    for start in range(0, n, 1000):
        await publish(bus, topic, items[start : start + 1000])
    async with httpx.AsyncClient(base_url=OPENSEARCH, timeout=60) as client:
        started = time.monotonic()
        process = await start_logger(topic, prefix, 18931)
        try:
            done = await wait_searchable(client, prefix, n)
            return n / (done - started)
        finally:
            process.terminate()
            await process.wait()
            await client.delete(f"/{prefix}*")


async def lag(bus: KafkaBus, rate: int, seconds: int) -> dict[str, float]:
    topic, prefix = f"bench-{uuid.uuid4().hex[:8]}", f"bench{uuid.uuid4().hex[:6]}-"
    total = rate * seconds
    async with httpx.AsyncClient(base_url=OPENSEARCH, timeout=60) as client:
        await bus.publish(prediction(0, "warm")[1], topic=topic, key="warm")  # topic exists before the logger
        process = await start_logger(topic, prefix, 18932)
        try:
            await wait_searchable(client, prefix, 0)
            await asyncio.sleep(8)  # the logger joins its group and puts its templates
            sent_at: list[float] = []
            samples: list[tuple[float, int]] = []
            stop = asyncio.Event()

            async def sample() -> None:
                while not stop.is_set():
                    samples.append((time.monotonic(), await count_complete(client, prefix)))
                    await asyncio.sleep(0.1)

            sampler = asyncio.create_task(sample())
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
            stop.set()
            await sampler
        finally:
            process.terminate()
            await process.wait()
            await client.delete(f"/{prefix}*")
    lags, at = [], 0
    for k, sent in enumerate(sent_at, start=1):
        while at < len(samples) and samples[at][1] < k:
            at += 1
        seen = samples[at][0] if at < len(samples) else time.monotonic()
        lags.append(max(0.0, seen - sent))
    quantiles = statistics.quantiles(lags, n=100)
    return {"achieved_rate": achieved, "p50": quantiles[49], "p99": quantiles[98], "max": max(lags)}


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())  # fmt: skip
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))  # fmt: skip
    return f"nproc={os.cpu_count()}, CPU={cpu}, RAM={mem_kb / 1024 / 1024:.1f} GiB, date={time.strftime('%Y-%m-%d')}"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--predictions", type=int, default=20_000)
    parser.add_argument("--rate", type=int, default=1_000, help="predictions/s of the lag run")
    parser.add_argument("--seconds", type=int, default=30, help="length of the lag run")
    args = parser.parse_args()
    print(machine())
    top = await ceiling(args.predictions)
    print(f"ceiling (direct bulk of pre-built documents): {top:,.0f} documents/s")
    bus = KafkaBus(BusSettings(kind="kafka", kafka_bootstrap=KAFKA, partitions=PARTITIONS))
    await bus.start()
    try:
        e2e = await end_to_end(bus, args.predictions)
        print(f"end to end (bus -> searchable): {e2e:,.0f} documents/s = {2 * e2e:,.0f} events/s "
              f"= {100 * e2e / top:.0f}% of the ceiling")  # fmt: skip
        result: dict[str, Any] = await lag(bus, args.rate, args.seconds)
        print(f"lag at {args.rate}/s for {args.seconds}s (achieved {result['achieved_rate']:,.0f}/s): "
              f"p50 {result['p50']:.2f}s, p99 {result['p99']:.2f}s, max {result['max']:.2f}s")  # fmt: skip
    finally:
        await bus.close()


if __name__ == "__main__":
    asyncio.run(main())
