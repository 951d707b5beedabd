"""CPU per 1,000 predictions of each stage of the logger's real consumer path, against the running Kafka.

    uv run python bench/request_logger/cpu_profile.py [--predictions 20000] [--rounds 3] [--profile FILE]
                                                       [--no-schema] [--default-gc]

Publishes N predictions (request + response executor events, 2N bus events, income: 12 features; the same
events as `run.py`) to a topic of its own (a fresh Kafka namespace, deleted afterwards), then per round consumes
them all with a new consumer group through what the logger process runs: `KafkaBus.subscribe_batch` (aiokafka
fetch, the partition lanes, `BatchDelivery`) -> `InferenceConsumer.handle` -> `RequestLoggerService` (parse,
correlate, build) -> `LingeringWriter` (the logger's default 2,000 items / 20 ms) -> the OpenSearch adapter's
bulk body (`coalesce` + `create_lines`). Only the HTTP request to the store is left out: the store's CPU is the
store's, and the bench must not wait on it. Kafka runs in its own process, so its CPU is not counted.

Time is this process's CPU time (`time.process_time`), so a busy machine disturbs it far less than wall-clock
time. Stages, timed where the path is synchronous (between two awaits nothing else runs):
- kafka: everything not below: aiokafka's fetch and per-record unpacking, the event loop, commits, the
  lingering writer's bookkeeping;
- records: the lane turning aiokafka records into `BusRecord`s (from `_next_run` to `deliver_batch`);
- decode: `BatchDelivery` decoding the records into events (the bus codec; it defers each payload's JSON and
  `time` to first use, so that part shows under build) and its retry wrapper, up to the handler;
- build: the handler up to its store write (event context, payload JSON, parsing, schema, documents) and after
  it (rejections, the lag histogram);
- encode: coalescing request and response parts and the bulk body bytes.
The garbage collector is set up as in the logger's process (`warden_common.gc_tuning`) unless `--default-gc`.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import functools
import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, cast

from aiokafka.admin import AIOKafkaAdminClient
from measure import load_average, machine
from run import PARTITIONS, prediction, publish
from targets import OpenSearchTarget, PostgresTarget, Target, ensure_servers

from warden_common.bus import batch_delivery, kafka_subscription
from warden_common.bus.kafka import KafkaBus
from warden_common.codec import Event
from warden_common.gc_tuning import tune_gc
from warden_common.logstore import ItemRejected, LogWrite
from warden_common.logstore import opensearch_bulk as bulk
from warden_common.logstore.lingering import LingeringWriter
from warden_common.logstore.opensearch import OpenSearchLogStore
from warden_common.logstore.postgres import PostgresLogStore
from warden_common.settings import BusSettings
from warden_request_logger.consumers.inference import InferenceConsumer
from warden_request_logger.documents import DocumentBuilder
from warden_request_logger.schema import PredictionSchema
from warden_request_logger.service import RequestLoggerService
from warden_request_logger.settings import RequestLoggerSettings

SCHEMA = Path(__file__).parents[2] / "services/request-logger/tests/data/income_schema.json"
STAGES = ("kafka", "records", "decode", "build", "encode")


class Stages:
    """CPU seconds per stage, and the marks left by one task for the next stage it enters."""

    def __init__(self) -> None:
        self.seconds = dict.fromkeys(STAGES, 0.0)
        self._marks: dict[tuple[str, Any], float] = {}

    def mark(self, name: str, at: float | None = None) -> float:
        now = time.process_time() if at is None else at
        self._marks[name, asyncio.current_task()] = now
        return now

    def since(self, name: str, stage: str) -> float:
        """Charge `stage` with the time since this task's `name` mark (none: nothing)."""
        now = time.process_time()
        began = self._marks.pop((name, asyncio.current_task()), None)
        if began is not None:
            self.seconds[stage] += now - began
        return now


STAGE = Stages()


def _instrument() -> None:
    """Wrap the bus's steps to leave marks; each wrapper adds two clock reads per batch, not per event."""
    next_run = kafka_subscription.KafkaSubscription._next_run

    @functools.wraps(next_run)
    def timed_next_run(self: Any, lane: Any) -> Any:
        result = next_run(self, lane)
        STAGE.mark("run")
        return result

    deliver_batch = batch_delivery.BatchDelivery.deliver_batch

    @functools.wraps(deliver_batch)
    async def timed_deliver_batch(self: Any, records: Any) -> None:
        STAGE.mark("batch", STAGE.since("run", "records"))
        await deliver_batch(self, records)

    kafka_subscription.KafkaSubscription._next_run = timed_next_run  # type: ignore[method-assign]
    batch_delivery.BatchDelivery.deliver_batch = timed_deliver_batch  # type: ignore[method-assign]


class EncodingStore:
    """The OpenSearch adapter's write up to the HTTP request: coalesced parts, the bulk body as bytes."""

    def __init__(self) -> None:
        self.bytes = 0

    async def write(self, items: Sequence[LogWrite]) -> list[ItemRejected]:
        started = time.process_time()
        body = b"".join(bulk.create_lines("bench-", merged) for merged, _ in bulk.coalesce(items))
        self.bytes += len(body)
        STAGE.seconds["encode"] += time.process_time() - started
        return []


class TimedWriter:
    """The service's writer: marks where the handler's synchronous build ends and where it resumes."""

    def __init__(self, writer: LingeringWriter) -> None:
        self._writer = writer

    async def write(self, items: Sequence[LogWrite]) -> list[ItemRejected]:
        STAGE.since("handler", "build")
        rejected = await self._writer.write(items)
        STAGE.mark("written")
        return rejected


class FixedSchema:
    def __init__(self, schema: PredictionSchema) -> None:
        self._schema = schema

    async def schema_for(self, *_key: str) -> PredictionSchema:
        return self._schema


async def real_store(target: Target, phase: str) -> Any:
    """The logger's own adapter on the phase's index prefix / database, with the logger's default settings."""
    settings = RequestLoggerSettings().opensearch
    if isinstance(target, OpenSearchTarget):
        return OpenSearchLogStore(
            target.url, prefix=phase, refresh_interval=settings.refresh_interval,
            max_bulk_docs=settings.max_bulk_docs, max_concurrent_bulks=settings.max_concurrent_bulks,
        )  # fmt: skip
    assert isinstance(target, PostgresTarget)
    return PostgresLogStore(target._dsn(phase), migrate=False)


async def consume_round(
    bus: KafkaBus,
    topic: str,
    n: int,
    *,
    with_schema: bool,
    store: Any,
    extra_events: int = 0,
    compiled_parts: bool = False,
) -> tuple[float, int]:
    """Consume the topic's 2n events once (a new group) into `store`; (CPU s of the whole process, bulk bytes)."""
    defaults = RequestLoggerSettings()
    lingering = LingeringWriter(store.write, max_items=defaults.write_max_items, linger_s=defaults.write_linger_s)
    schemas = FixedSchema(PredictionSchema.parse(json.loads(SCHEMA.read_text()))) if with_schema else None
    service = RequestLoggerService(
        cast(Any, store),
        DocumentBuilder(max_payload_bytes=defaults.max_payload_bytes, compiled_parts=compiled_parts),
        cast(Any, schemas),
        writer=cast(Any, TimedWriter(lingering)),
    )
    consumer = InferenceConsumer(service, bus, group=f"cpu-{uuid.uuid4().hex[:8]}", max_batch=defaults.max_batch)
    handled = 0
    all_done = asyncio.Event()
    handle = consumer.handle

    async def timed_handle(events: Sequence[Event]) -> Mapping[int, Exception]:
        nonlocal handled
        STAGE.mark("handler", STAGE.since("batch", "decode"))
        rejected = await handle(events)
        STAGE.since("written", "build")
        assert not rejected, rejected
        handled += len(events)
        if handled >= 2 * n + extra_events:
            all_done.set()
        return rejected

    consumer.handle = timed_handle  # type: ignore[method-assign]
    STAGE.seconds = dict.fromkeys(STAGES, 0.0)
    started = time.process_time()
    subscriptions = await consumer.start([topic])
    await asyncio.wait_for(all_done.wait(), timeout=900)
    total = time.process_time() - started
    for subscription in subscriptions:
        await subscription.stop()
    await lingering.close()
    if handled != 2 * n + extra_events:
        raise RuntimeError(f"handled {handled} events, expected {2 * n + extra_events}")
    return total, getattr(store, "bytes", 0)


async def publish_steadily(kafka: str, namespace: str, topic: str, n: int, rate: int) -> None:
    """(The publisher subprocess of `--rate`.) n predictions at `rate` per second, request then response."""
    bus = KafkaBus(BusSettings(kind="kafka", kafka_bootstrap=kafka, partitions=PARTITIONS, kafka_namespace=namespace))
    await bus.start()
    try:
        started, tick = time.monotonic(), 0.05
        per_tick = max(1, int(rate * tick))
        for k in range(0, n, per_tick):
            await publish(bus, topic, [prediction(i, "steady") for i in range(k, min(k + per_tick, n))])
            ahead = started + (k + per_tick) / rate - time.monotonic()
            if ahead > 0:
                await asyncio.sleep(ahead)
    finally:
        await bus.close()


async def run(args: argparse.Namespace) -> None:
    servers = ["kafka"] if args.store == "stub" else ["kafka", args.store]
    endpoints = await asyncio.to_thread(ensure_servers, *servers)
    kafka = os.environ.get("BENCH_KAFKA") or endpoints["kafka"]
    target: Target | None = None
    if args.store == "opensearch":
        target = OpenSearchTarget(os.environ.get("BENCH_OPENSEARCH", endpoints["opensearch"]))
    elif args.store == "postgres":
        target = PostgresTarget(endpoints["postgres"])
    namespace = f"cpu-{uuid.uuid4().hex[:8]}."
    bus = KafkaBus(BusSettings(kind="kafka", kafka_bootstrap=kafka, partitions=PARTITIONS, kafka_namespace=namespace))
    await bus.start()
    topic = "inference"
    n = args.predictions
    if args.rate:
        n = args.rate * args.seconds
    try:
        if not args.rate:
            items = [prediction(i, "cpu") for i in range(n)]
            for start in range(0, n, 1000):
                await publish(bus, topic, items[start : start + 1000])
            del items
        _instrument()
        if not args.default_gc:
            tune_gc()
        schema = "on" if args.schema else "off"
        print(machine(), f"{n:,} predictions ({2 * n:,} events), schema {schema}, store {args.store}")
        print("CPU s per 1,000 predictions: " + " / ".join(STAGES) + " = total (load average)")
        totals: list[float] = []
        per_stage: dict[str, list[float]] = {stage: [] for stage in STAGES}
        profiler = cProfile.Profile() if args.profile else None
        for round_number in range(1, args.rounds + 1):
            phase = await target.new_phase() if target is not None else ""
            store: Any = await real_store(target, phase) if target is not None else EncodingStore()
            try:
                if target is not None:
                    await store.start()
                if profiler is not None:
                    profiler.enable()
                publisher = None
                if args.rate:  # another process, so its CPU is not counted; a new topic per round
                    topic = f"steady-{round_number}"
                    await bus.publish(prediction(0, "warm")[1], topic=topic, key="warm")  # the topic exists
                    publisher = await asyncio.create_subprocess_exec(
                        sys.executable, __file__, "--publish-to", f"{kafka} {namespace} {topic}",
                        "--rate", str(args.rate), "--seconds", str(args.seconds),
                    )  # fmt: skip
                total, body_bytes = await consume_round(
                    bus,
                    topic,
                    n,
                    with_schema=args.schema,
                    store=store,
                    extra_events=1 if args.rate else 0,
                    compiled_parts=args.compiled and args.store != "postgres",
                )
                if profiler is not None:
                    profiler.disable()
                if publisher is not None and await publisher.wait() != 0:
                    raise RuntimeError("the publisher failed")
            finally:
                if target is not None:
                    await store.close()
                    await target.forget(phase)
            per = 1000 / n
            seconds = STAGE.seconds
            seconds["kafka"] = total - sum(seconds[stage] for stage in STAGES if stage != "kafka")
            for stage in STAGES:
                per_stage[stage].append(seconds[stage] * per)
            totals.append(total * per)
            print(f"  round {round_number}: " + " / ".join(f"{seconds[s] * per:.3f}" for s in STAGES)
                  + f" = {total * per:.3f} (load {load_average()}); bulk body {body_bytes / n:,.0f} bytes per "
                  "prediction")  # fmt: skip
        print("  median:  " + " / ".join(f"{statistics.median(per_stage[s]):.3f}" for s in STAGES)
              + f" = {statistics.median(totals):.3f}")  # fmt: skip
        if profiler is not None:
            profiler.dump_stats(args.profile)
    finally:
        await bus.close()
        admin = AIOKafkaAdminClient(bootstrap_servers=kafka)
        await admin.start()
        try:
            rounds = range(1, args.rounds + 1)
            await admin.delete_topics([f"{namespace}steady-{r}" for r in rounds] if args.rate else [namespace + topic])
        finally:
            await admin.close()
        if target is not None:
            await target.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--predictions", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--rate",
        type=int,
        default=0,
        help="predictions/s published by another process while consuming (small batches, as in the lag phase) for "
        "--seconds; default 0: all published before consuming (big batches, as in the end-to-end phase)",
    )
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--publish-to", help=argparse.SUPPRESS)
    parser.add_argument(
        "--store",
        choices=["stub", "opensearch", "postgres"],
        default="stub",
        help="stub: the OpenSearch bulk body built, not sent (encode timed on its own); otherwise the logger's real "
        "adapter writing to the running store (its client's CPU then counts under kafka)",
    )
    parser.add_argument("--profile", type=Path, help="write a cProfile of the consuming rounds to this file")
    parser.add_argument(
        "--no-schema",
        dest="schema",
        action="store_false",
        help="no prediction schema (features named by position), as a logger without metadata",
    )
    parser.add_argument("--default-gc", action="store_true", help="CPython's collector settings, not the logger's")
    parser.add_argument(
        "--python-parts",
        dest="compiled",
        action="store_false",
        help="build every part in Python (the logger takes the compiled parts on OpenSearch)",
    )
    args = parser.parse_args()
    if args.publish_to:
        kafka, namespace, topic = args.publish_to.split(" ")
        asyncio.run(publish_steadily(kafka, namespace, topic, args.rate * args.seconds, args.rate))
    else:
        asyncio.run(run(args))


if __name__ == "__main__":
    main()
