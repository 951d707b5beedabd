"""CPU per 1,000 predictions of each stage of the logger's batch path, in process, no servers needed.

    uv run python bench/request_logger/profile_core.py [--predictions 20000] [--profile FILE]

Stages, as the bus consumer runs them per batch of 500 events: decode (Kafka record -> event, the bus codec;
it defers the payload's JSON and the `time` attribute to their first use, so that part shows under build),
build (correlate/parse/enrich -> writes, `RequestLoggerService` with a prediction schema), encode (coalesce +
the bulk body the OpenSearch adapter sends). Time is process CPU time, so a busy machine disturbs
it far less than wall-clock time. `--profile` writes a cProfile of the whole run. The garbage collector is set
up as in the logger's own process (`warden_common.gc_tuning`); `--default-gc` keeps CPython's defaults.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

from run import prediction

from warden_common.codec import Event, from_kafka_record, to_kafka_record
from warden_common.gc_tuning import tune_gc
from warden_common.logstore import ItemRejected, LogWrite
from warden_common.logstore import opensearch_bulk as bulk
from warden_request_logger.documents import DocumentBuilder
from warden_request_logger.schema import PredictionSchema
from warden_request_logger.service import RequestLoggerService

SCHEMA = Path(__file__).parents[2] / "services/request-logger/tests/data/income_schema.json"
BATCH = 500


class EncodingStore:
    """A log store that only builds the bulk bodies (what the OpenSearch adapter does before sending)."""

    def __init__(self) -> None:
        self.encode_s = 0.0
        self.bytes = 0

    async def write(self, items: Sequence[LogWrite]) -> list[ItemRejected]:
        started = time.process_time()
        body = b"".join(bulk.create_lines("bench-", merged) for merged, _ in bulk.coalesce(items))
        self.bytes += len(body)
        self.encode_s += time.process_time() - started
        return []


class FixedSchema:
    def __init__(self, schema: PredictionSchema) -> None:
        self._schema = schema

    async def schema_for(self, *_key: str) -> PredictionSchema:
        return self._schema


async def run(n: int) -> None:
    records = []
    for i in range(n):
        rid, request, response = prediction(i, "core")
        records += [to_kafka_record(request, rid), to_kafka_record(response, rid)]
    store = EncodingStore()
    schemas = FixedSchema(PredictionSchema.parse(json.loads(SCHEMA.read_text())))
    # Stand-ins for the store and the schema lookup: only the methods the batch path calls.
    service = RequestLoggerService(cast(Any, store), DocumentBuilder(max_payload_bytes=8 << 20), cast(Any, schemas))
    decode_s = ingest_s = 0.0
    for start in range(0, len(records), BATCH):
        began = time.process_time()
        events: list[Event] = [from_kafka_record(h, v, k) for k, h, v in records[start : start + BATCH]]
        decoded = time.process_time()
        rejected = await service.ingest(events)
        assert not rejected, rejected
        decode_s += decoded - began
        ingest_s += time.process_time() - decoded
    per = 1000 / n
    build_s = ingest_s - store.encode_s
    print(
        f"{n:,} predictions ({2 * n:,} events), CPU s per 1,000 predictions: decode {decode_s * per:.3f}, "
        f"build {build_s * per:.3f}, encode {store.encode_s * per:.3f}, total {(decode_s + ingest_s) * per:.3f}; "
        f"bulk body {store.bytes / n:,.0f} bytes per prediction"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--predictions", type=int, default=20_000)
    parser.add_argument("--profile", type=Path)
    parser.add_argument("--default-gc", action="store_true", help="CPython's collector settings, not the logger's")
    args = parser.parse_args()
    if not args.default_gc:
        tune_gc()
    if args.profile:
        with cProfile.Profile() as profiler:
            asyncio.run(run(args.predictions))
        profiler.dump_stats(args.profile)
    else:
        asyncio.run(run(args.predictions))


if __name__ == "__main__":
    main()
