"""What the logger writes for events of every protocol, as one canonical JSON file: diff two code versions' files.

    uv run python bench/request_logger/compare_outputs.py --out /tmp/new.json
    PYTHONPATH=<old checkout>/libs/common/src:<old checkout>/services/request-logger/src \\
        uv run python bench/request_logger/compare_outputs.py --out /tmp/old.json
    cmp /tmp/old.json /tmp/new.json

A CPU change to the logger must not change what it writes. This feeds a fixed corpus of events (Seldon ndarray
with and without a prediction schema, tensor, jsonData/strData, KServe v1 rows and columns, V2 inputs/outputs,
binary payloads, feedback with truth and reward, outlier and drift results, a metrics reply, and the awkward
cases: an unknown type, a payload that does not parse, NaN, `\\u0000`, an integer beyond 64 bits, a payload over
the stored limit, a multi-instance batch, non-ASCII text, request and response split over batches) through the
bus's own record encoding and decoding (`to_kafka_record` / `from_kafka_record(defer=True)`, as `BatchDelivery`
decodes) and `RequestLoggerService.ingest`, in batches, into
- the OpenSearch adapter's bulk bodies (bytes, exactly as they would be sent), and
- the real PostgreSQL log store (a database of its own, dropped afterwards): every row of `instances`,
  `payloads` and `element_slots`, read back as text,
and records every rejection (what becomes a dead letter, with its reason). Times are fixed in the events, so two
runs of the same code give the same file.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import asyncpg
from cloudevents.core.v1.event import CloudEvent
from targets import ensure_servers

from warden_common.codec import from_kafka_record, to_kafka_record
from warden_common.logstore import ItemRejected, LogWrite
from warden_common.logstore import opensearch_bulk as bulk
from warden_common.logstore.postgres import PostgresLogStore
from warden_request_logger.documents import DocumentBuilder
from warden_request_logger.schema import PredictionSchema
from warden_request_logger.service import RequestLoggerService

DATA = Path(__file__).parents[2] / "services/request-logger/tests/data"
SELDON, KSERVE = "io.seldon.serving", "org.kubeflow.serving"
INCOME = ["Age", "Workclass", "Education", "Marital Status", "Occupation", "Relationship", "Race", "Sex",
          "Capital Gain", "Capital Loss", "Hours per week", "Country"]  # fmt: skip


def _event(kind: str, rid: str, data: Any, *, n: int, deployment: str = "income", model: str | None = "classifier",
           content_type: str = "application/json", **extensions: str) -> CloudEvent:  # fmt: skip
    attributes = {
        "type": kind, "source": "http://model:8000/", "id": f"ce-{rid}-{kind.rsplit('.', 1)[-1]}-{n}",
        "time": datetime(2026, 1, 2, 3, 4, n % 60, n, tzinfo=UTC), "datacontenttype": content_type, "requestid": rid,
        "inferenceservicename": deployment, "namespace": "compare", "endpoint": "default", **extensions,
    }  # fmt: skip
    if model is not None:
        attributes["modelid"] = model
    return CloudEvent(attributes, data=data)


def corpus() -> list[list[CloudEvent]]:
    """Batches of events; request and response of some predictions in different batches."""
    req, resp = f"{SELDON}.inference.request", f"{SELDON}.inference.response"
    kreq, kresp = f"{KSERVE}.inference.request", f"{KSERVE}.inference.response"
    first: list[CloudEvent] = []
    for i in range(6):  # income with its schema: categorical columns named, numbers as numbers
        row = [39 + i, 4, 1, 2, 8, 4, 2, i % 2, 2174.0, 0, 40, 9]
        first.append(_event(req, f"inc-{i}", {"data": {"names": INCOME, "ndarray": [row]}}, n=i))
        first.append(_event(resp, f"inc-{i}", {"data": {"names": ["t:0", "t:1"], "ndarray": [[0.86, 0.14]]}}, n=i))
    first += [
        _event(req, "iris-1", {"data": {"names": ["a", "b", "c", "d"], "ndarray": [[6.8, 2.8, 4.8, 1.4]]}}, n=20,
               deployment="iris"),
        _event(req, "tensor-1", {"data": {"tensor": {"shape": [2, 3], "values": [1, 2.5, 3, 1e16, 1e-05, -0.0]}}},
               n=21, deployment="iris"),
        _event(resp, "tensor-1", {"data": {"tensor": {"shape": [2, 1], "values": [0.25, 0.75]}}}, n=22,
               deployment="iris"),
        _event(req, "json-1", {"jsonData": {"text": "grüße, 東京", "nested": {"k": [1, {"x": None}]}}}, n=23,
               deployment="iris"),
        _event(req, "str-1", {"strData": "hello \"world\" \\ {x}"}, n=24, deployment="iris"),
        _event(kreq, "kserve-1", {"instances": [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]]}, n=25,
               deployment="sklearn", model=None, component="predictor"),
        _event(kresp, "kserve-1", {"predictions": [1, 1]}, n=26, deployment="sklearn", model=None),
        _event(kreq, "kserve-cols", {"inputs": {"a": [1, 2], "b": ["x", "y"]}}, n=27, deployment="sklearn",
               model=None),
        _event(kresp, "kserve-cols", {"outputs": {"p": [0.1, 0.9]}}, n=28, deployment="sklearn", model=None),
        _event(kreq, "v2-1", {"inputs": [{"name": "x", "shape": [2, 2], "datatype": "FP32",
                                           "data": [1.0, 2.0, 3.0, 4.0]},
                                          {"name": "label", "shape": [2], "datatype": "BYTES", "data": ["a", "b"]}]},
               n=29, deployment="mlserver", model="m"),
        _event(kresp, "v2-1", {"model_name": "m", "outputs": [{"name": "y", "shape": [2], "datatype": "INT64",
                                                                "data": [0, 1]}]}, n=30, deployment="mlserver",
               model="m"),
        _event(req, "bin-1", b"\x00\x01binary\xff", n=31, deployment="iris", content_type="application/octet-stream"),
        _event(req, "wide-1", {"data": {"names": ["w", "s"], "ndarray": [[2**70, "z\u00e9"]]}}, n=32,
               deployment="iris"),
    ]  # fmt: skip
    second: list[CloudEvent] = [
        _event(resp, "iris-1", {"data": {"names": ["t:0", "t:1", "t:2"], "ndarray": [[0.1, 0.2, 0.7]]}}, n=40,
               deployment="iris"),
        _event(f"{SELDON}.feedback", "iris-1", {"truth": {"data": {"names": ["t:0", "t:1", "t:2"],
                                                                   "ndarray": [[0, 0, 1]]}}, "reward": 1},
               n=41, deployment="iris"),
        _event(f"{SELDON}.feedback", "inc-0", {"reward": 0.5}, n=42),
        _event(f"{SELDON}.feedback.metrics", "inc-1", {"counters": 1}, n=43),
        _event(f"{SELDON}.inference.outlier", "iris-1", {"data": {"is_outlier": [1, 0], "instance_score": [0.5, 0.1],
                                                                  "feature_score": [[1, 2], [3, 4]]},
                                                         "meta": {"name": "od"}}, n=44, deployment="iris"),
        _event(f"{SELDON}.inference.drift", "drift-1", {"data": {"is_drift": [0, 1], "p_val": [0.2, 0.01],
                                                                 "distance": 0.3, "threshold": 0.05},
                                                        "meta": {"name": "cd"}}, n=45, deployment="iris"),
        _event("com.example.other", "other-1", {"x": 1}, n=46, deployment="iris"),
        _event(req, "bad-1", {"data": {"ndarray": "not rows"}}, n=47, deployment="iris"),
        _event(req, "nan-1", b'{"data": {"names": ["a"], "ndarray": [[NaN]]}}', n=48, deployment="iris"),
        _event(req, "inf-1", b'{"data": {"names": ["a", "b"], "ndarray": [[Infinity, 1e400]]}}', n=49,
               deployment="iris"),
        _event(req, "nul-1", {"data": {"names": ["a"], "ndarray": [["nul \u0000 here"]]}}, n=50, deployment="iris"),
        _event(req, "big-1", {"data": {"names": ["x"], "ndarray": [["y" * 5000]]}}, n=51, deployment="iris"),
        _event(req, "batch-1", {"data": {"names": ["a", "b"], "ndarray": [[1, 2], [3, 4], [5, 6]]}}, n=52,
               deployment="iris"),
        _event(resp, "batch-1", {"data": {"names": ["p"], "ndarray": [[0.1], [0.2], [0.3]]}}, n=53,
               deployment="iris"),
    ]  # fmt: skip
    for i in range(6):  # the income responses again: a redelivery of a stored document
        second.append(_event(resp, f"inc-{i}", {"data": {"names": ["t:0", "t:1"], "ndarray": [[0.5, 0.5]]}}, n=60 + i))
    return [first, second]


class IncomeSchema:
    """The income example's prediction schema for the income deployment; none for the others."""

    def __init__(self) -> None:
        self._schema = PredictionSchema.parse(json.loads((DATA / "income_schema.json").read_text()))

    async def schema_for(self, _namespace: str, deployment: str, *_rest: str) -> PredictionSchema | None:
        return self._schema if deployment == "income" else None


class CapturingStore:
    """The OpenSearch adapter's bulk body bytes of each write (what would be sent), and the items it refuses
    before sending (as `OpenSearchLogStore.write` does: a value JSON cannot carry)."""

    def __init__(self) -> None:
        self.bodies: list[str] = []

    async def write(self, items: Sequence[LogWrite]) -> list[ItemRejected]:
        body, rejected = b"", []
        for merged, positions in bulk.coalesce(items):
            try:
                body += bulk.create_lines("cmp-", merged)
            except ValueError as exc:
                rejected += [ItemRejected(p, f"document is not valid JSON: {exc}", 400) for p in positions]
        self.bodies.append(body.decode())
        return sorted(rejected, key=lambda r: r.position)


async def through(store: Any, *, compiled_parts: bool = False) -> list[dict[str, str]]:
    """Every batch of the corpus through the bus codec and the service into `store`; the rejections."""
    builder = DocumentBuilder(max_payload_bytes=4096, compiled_parts=compiled_parts)
    service = RequestLoggerService(cast(Any, store), builder, cast(Any, IncomeSchema()))
    rejections: list[dict[str, str]] = []
    for batch in corpus():
        events = []
        for event in batch:
            key, headers, value = to_kafka_record(event, event.get_extension("requestid"))
            events.append(from_kafka_record(list(headers), value, key, defer=True))
        rejected = await service.ingest(events)
        rejections += [{"id": events[p].get_id(), "reason": str(r)} for p, r in sorted(rejected.items())]
    return rejections


async def postgres_rows(server_dsn: str) -> dict[str, Any]:
    name = f"cmp_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(server_dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')  # a generated name, not input
    dsn = server_dsn.rsplit("/", 1)[0] + "/" + name
    try:
        store = PostgresLogStore(dsn, migrate=True)
        await store.start()
        try:
            rejections = await through(store)
        finally:
            await store.close()
        conn = await asyncpg.connect(dsn)
        try:
            tables = {}
            for table, order in (("instances", "namespace, deployment, doc_id"),
                                 ("payloads", "namespace, deployment, request_id, part"),
                                 ("element_slots", "namespace, deployment, part, path")):  # fmt: skip
                rows = await conn.fetch(f"SELECT to_jsonb(t)::text AS row FROM warden_logs.{table} t ORDER BY {order}")
                tables[table] = [row["row"] for row in rows]  # PostgreSQL's own text: jsonb is canonical
        finally:
            await conn.close()
        return {"rejections": rejections, "tables": tables}
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def run(out: Path, *, compiled_parts: bool) -> None:
    capturing = CapturingStore()
    opensearch_rejections = await through(capturing, compiled_parts=compiled_parts)
    server_dsn = (await asyncio.to_thread(ensure_servers, "postgres"))["postgres"]
    result = {
        "opensearch": {"rejections": opensearch_rejections, "bulk_bodies": capturing.bodies},
        "postgres": await postgres_rows(server_dsn),
    }
    text = json.dumps(result, indent=1, sort_keys=True, ensure_ascii=False)
    await asyncio.to_thread(out.write_text, text)
    tables = result["postgres"]["tables"]
    print(f"{out}: sha256 {hashlib.sha256(text.encode()).hexdigest()[:16]}; OpenSearch {len(capturing.bodies)} "
          f"bulk bodies, {len(opensearch_rejections)} rejected; PostgreSQL "
          + ", ".join(f"{len(rows)} {table}" for table, rows in tables.items())
          + f", {len(result['postgres']['rejections'])} rejected")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument(
        "--python-only",
        action="store_true",
        help="OpenSearch bodies without the compiled parts (the logger takes them on OpenSearch)",
    )
    args = parser.parse_args()
    asyncio.run(run(args.out, compiled_parts=not args.python_only))


if __name__ == "__main__":
    main()
