"""Bus throughput: KafkaBus vs raw aiokafka on the same broker, and the standalone PostgresBus.

    uv run python bench/bus/run.py [--count 20000] [--rounds 1] [--kafka 127.0.0.1:9092] [--postgres DSN] [--skip-kafka]

Every run publishes `--count` 1 KB CloudEvents concurrently (`--concurrency` publishes in flight at a time),
then consumes them in a fresh consumer group. Raw and adapter use the same broker, partitions, `acks="all"` and
idempotence; the raw side gets pre-encoded records, so the adapter's CloudEvent encoding/decoding is part of
what it pays. Consumption is timed from the first to the last record, leaving out the group join. The KafkaBus
run's handler only counts (as raw's consumer does), so the bus checks each event's envelope but never decodes its
`time` or data; a fourth run, "KafkaBus reading data", has the handler read both.
With `--rounds N` the Kafka runs are repeated N times in turn (ratios per round, medians on top). The
machine is shared with the broker and other work, so each run also reports this process's CPU time per event
(`*_cpu_us`, which load barely moves) and the 1-minute load average.
Loopback only; bounded by `--count` and `--time-limit`. Prints one JSON object with the results.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from cloudevents.core.v1.event import CloudEvent

from warden_common.bus.factory import create_bus
from warden_common.bus.kafka import PRODUCER_BATCHING
from warden_common.bus.port import Bus
from warden_common.codec import Event, from_kafka_record, to_kafka_record
from warden_common.settings import BusSettings

PAYLOAD_BYTES = 1024
RATES = ("publish_per_s", "consume_per_s")


def make_events(count: int) -> list[tuple[str, CloudEvent]]:
    filler = "x" * (PAYLOAD_BYTES - 40)  # the JSON data of each event comes to ~1 KB
    attributes = {"type": "io.warden.bench.v1", "source": "/bench/bus", "datacontenttype": "application/json"}
    return [(f"key-{i % 64}", CloudEvent(dict(attributes), data={"seq": i, "fill": filler})) for i in range(count)]


async def in_chunks(items: list[Any], size: int, send: Callable[[Any], Awaitable[None]]) -> None:
    for start in range(0, len(items), size):
        await asyncio.gather(*(send(item) for item in items[start : start + size]))


class Counter:
    """Counts consumed records and remembers when the first and the last arrived (wall clock and CPU)."""

    def __init__(self, expected: int) -> None:
        self.expected, self.seen, self.first, self.last = expected, 0, 0.0, 0.0
        self.first_cpu = self.last_cpu = 0.0
        self.done = asyncio.Event()

    def tick(self) -> None:
        now = time.perf_counter()
        if self.seen == 0:
            self.first, self.first_cpu = now, time.process_time()
        self.seen += 1
        if self.seen >= self.expected:
            self.last, self.last_cpu = now, time.process_time()
            self.done.set()

    def rate(self) -> float:
        return self.expected / max(self.last - self.first, 1e-9)

    def cpu_us_per_event(self) -> float:
        return (self.last_cpu - self.first_cpu) / self.expected * 1e6


def cpu_us_per_event(cpu_started: float, count: int) -> float:
    """This process's CPU time per event: unlike throughput, barely moved by other work on the machine."""
    return (time.process_time() - cpu_started) / count * 1e6


async def bench_raw_kafka(
    bootstrap: str, partitions: int, events: list[tuple[str, CloudEvent]], conc: int, *, codec: bool
) -> dict[str, float]:
    """Plain aiokafka with the adapter's producer settings; `codec` also encodes/decodes each CloudEvent."""
    topic = f"bench-raw-{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])
    await admin.close()
    records = [to_kafka_record(event, key) for key, event in events]
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all", **PRODUCER_BATCHING)
    await producer.start()

    async def send(index: int) -> None:
        key, headers, value = to_kafka_record(events[index][1], events[index][0]) if codec else records[index]
        await producer.send_and_wait(topic, value, key=key, headers=list(headers))

    started, cpu_started = time.perf_counter(), time.process_time()
    await in_chunks(list(range(len(records))), conc, send)
    publish_s = time.perf_counter() - started
    publish_cpu = cpu_us_per_event(cpu_started, len(records))
    await producer.stop()

    counter = Counter(len(records))
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"g-{topic}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    while not counter.done.is_set():
        batches = await consumer.getmany(timeout_ms=500, max_records=1000)
        for tp, batch in batches.items():
            for record in batch:
                if codec:
                    from_kafka_record(tuple(record.headers), record.value, record.key)
                counter.tick()
            await consumer.commit({tp: batch[-1].offset + 1})
    await consumer.stop()
    return {
        "publish_per_s": len(records) / publish_s,
        "consume_per_s": counter.rate(),
        "publish_cpu_us": publish_cpu,
        "consume_cpu_us": counter.cpu_us_per_event(),
    }


async def bench_bus(
    settings: BusSettings, events: list[tuple[str, CloudEvent]], conc: int, *, read: bool = False
) -> dict[str, float]:
    """Publish and consume through the adapter; with `read` the handler also reads each event's time and data
    (which the bus decodes on first use), as most real handlers do."""
    topic = f"bench-bus-{uuid.uuid4().hex[:8]}"
    bus: Bus = create_bus(settings)
    await bus.start()
    try:

        async def send(item: tuple[str, CloudEvent]) -> None:
            await bus.publish(item[1], topic=topic, key=item[0])

        await in_chunks(events[:1], 1, send)  # topic creation is not what we measure
        started, cpu_started = time.perf_counter(), time.process_time()
        await in_chunks(events[1:], conc, send)
        publish_s = time.perf_counter() - started
        publish_cpu = cpu_us_per_event(cpu_started, len(events) - 1)

        counter = Counter(len(events))

        async def handle(event: Event) -> None:
            if read:
                event.get_time()
                event.get_data()
            counter.tick()

        await bus.subscribe(topic, group=f"g-{topic}", handler=handle)
        await counter.done.wait()
    finally:
        await bus.close()
    return {
        "publish_per_s": (len(events) - 1) / publish_s,
        "consume_per_s": counter.rate(),
        "publish_cpu_us": publish_cpu,
        "consume_cpu_us": counter.cpu_us_per_event(),
    }


def load_average() -> float:
    """1-minute load average: the bench shares 2 cores with the broker and whatever else runs, so say how busy."""
    return round(os.getloadavg()[0], 2)


async def kafka_round(args: argparse.Namespace, events: list[tuple[str, CloudEvent]]) -> dict[str, Any]:
    """raw, raw + codec and KafkaBus back to back, so the ratios compare runs made under the same load."""
    load_before = load_average()
    raw = await bench_raw_kafka(args.kafka, args.partitions, events, args.concurrency, codec=False)
    raw_decode = await bench_raw_kafka(args.kafka, args.partitions, events, args.concurrency, codec=True)
    settings = BusSettings(kind="kafka", kafka_bootstrap=args.kafka, partitions=args.partitions)
    adapter = await bench_bus(settings, events, args.concurrency)
    reading = await bench_bus(settings, events, args.concurrency, read=True)
    return {
        "kafka_raw": raw,
        "kafka_raw_with_codec": raw_decode,
        "kafka_bus": adapter,
        "kafka_bus_reading_data": reading,
        "kafka_bus_reading_data_vs_raw": {k: reading[k] / raw[k] for k in RATES},
        "kafka_bus_vs_raw": {k: adapter[k] / raw[k] for k in RATES},
        "kafka_bus_vs_raw_with_codec": {k: adapter[k] / raw_decode[k] for k in RATES},
        "load_average": [load_before, load_average()],
    }


def median_of(rounds: list[dict[str, Any]], name: str) -> dict[str, float]:
    return {k: statistics.median(r[name][k] for r in rounds) for k in rounds[0][name]}


async def main(args: argparse.Namespace) -> dict[str, Any]:
    events = make_events(args.count)
    value_bytes = len(to_kafka_record(events[0][1])[2])
    results: dict[str, Any] = {
        "count": args.count,
        "value_bytes": value_bytes,
        "partitions": args.partitions,
        "concurrency": args.concurrency,
    }
    if not args.skip_kafka:
        rounds = [await kafka_round(args, events) for _ in range(args.rounds)]
        for name in rounds[0]:
            if name != "load_average":
                results[name] = median_of(rounds, name)  # with one round: that round's numbers
        results["kafka_rounds"] = rounds
    if args.postgres:
        settings = BusSettings(
            kind="postgres",
            postgres_dsn=args.postgres,
            partitions=args.partitions,
            postgres_schema=f"bench_{uuid.uuid4().hex[:8]}",
        )
        results["postgres_bus"] = await bench_bus(settings, events, args.concurrency)
    results["load_average_at_end"] = load_average()
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=1000)
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--kafka", default="127.0.0.1:9092")
    parser.add_argument("--skip-kafka", action="store_true")
    parser.add_argument("--rounds", type=int, default=1, help="repeat raw/raw+codec/bus; report medians and each round")
    parser.add_argument("--postgres", default=None, help="DSN of a database the bench may create a schema in")
    parser.add_argument("--time-limit", type=float, default=600.0)
    cli = parser.parse_args()

    async def bounded() -> dict[str, Any]:
        async with asyncio.timeout(cli.time_limit):
            return await main(cli)

    print(json.dumps(asyncio.run(bounded()), indent=2))
