"""IForest outlier scoring end to end at a steady rate of income predictions (issue 10).

    uv run python bench/detectors/outliers.py [--rate 1000] [--seconds 60] [--bus kafka|postgres]

`warden serve detectors` in its own process (distributed mode: the Kafka bus, or the PostgreSQL bus with
`--bus postgres`; its own database, topics and consumer group), an IForest outlier detector (100 trees, the
default) fitted on 1,000 census-like income rows through the public configs API. Then this process publishes one
Seldon request event of one income row (12 features) per prediction at `--rate` per second for `--seconds`, as
the data plane does, and reads the detector's replies (`io.seldon.serving.inference.outlier`) from the
detections topic. Scoring lag = the reply's own `time` (set when the detector built it, right after scoring) -
the request's publish time; "reply received" adds the reply's trip back to this process. Printed: instances
scored per second over the run, p50 / p95 / p99 / max lag overall and per 10-second slice (a lag that grows
slice after slice means scoring does not keep up), and the detectors process's CPU seconds per 1,000
predictions. Target: keeps up with 1,000 predictions/s (no growing lag over 60 s). Servers are started through
`warden_common.testing.servers` if they are not up; loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import numpy as np
from drift import income_rows

from warden_common import topics
from warden_common.bus.factory import create_bus
from warden_common.codec import Event
from warden_common.events import SELDON_REQUEST, build_event
from warden_common.settings import BusSettings
from warden_common.testing.processes import free_port, wait_http_ok
from warden_common.testing.servers import get_server
from warden_common.testing.waiting import eventually

DATABASE = "warden_bench_outliers"
OUTLIERS = "/api/v1alpha1/namespaces/seldon/seldondeployments/income/monitor/outlier-detector"
SLICE_S = 10


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    warden = Path(sys.executable).with_name("warden")
    return subprocess.Popen([str(warden), "serve", "detectors", "--port", str(port)], env=env)


def _request(puid: str, row: list[float]) -> Event:
    extensions = {"requestid": puid, "inferenceservicename": "income", "namespace": "seldon",
                  "endpoint": "default", "modelid": "classifier", "protocol": "seldon"}  # fmt: skip
    return build_event(SELDON_REQUEST, {"data": {"ndarray": [row]}}, source="/bench", extensions=extensions)


async def run(rate: int, seconds: int, bus_kind: str, work: Path) -> dict[str, Any]:
    pg = get_server("postgres")
    pg.start()
    admin = await asyncpg.connect(pg.endpoint)
    await admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    await admin.execute(f"CREATE DATABASE {DATABASE}")
    await admin.close()
    dsn = pg.endpoint.rpartition("/")[0] + f"/{DATABASE}"
    run_id = uuid.uuid4().hex[:8]
    if bus_kind == "kafka":
        kafka = get_server("kafka")
        kafka.start()
        settings = BusSettings(kind="kafka", kafka_bootstrap=kafka.endpoint, kafka_namespace=f"bench-{run_id}.")
        bus_env = {"WARDEN_DETECTORS_BUS__KIND": "kafka", "WARDEN_DETECTORS_BUS__KAFKA_BOOTSTRAP": kafka.endpoint,
                   "WARDEN_DETECTORS_BUS__KAFKA_NAMESPACE": f"bench-{run_id}."}  # fmt: skip
    else:
        settings = BusSettings(kind="postgres", postgres_dsn=dsn)  # type: ignore[arg-type]
        bus_env = {"WARDEN_DETECTORS_BUS__KIND": "postgres", "WARDEN_DETECTORS_BUS__POSTGRES_DSN": dsn}
    reference = work / "income-reference.npy"
    np.save(reference, income_rows(1000, seed=0))
    stream = income_rows(rate * seconds, seed=5).tolist()
    port = free_port()
    env = {**os.environ, **bus_env, "WARDEN_DETECTORS_DATABASE__DSN": dsn, "WARDEN_DETECTORS_AUTO_MIGRATE": "true",
           "WARDEN_DETECTORS_DATA_DIR": str(work / "data"), "WARDEN_DETECTORS_LOG_LEVEL": "WARNING"}  # fmt: skip
    proc = _serve(env, port)
    bus = create_bus(settings)
    await bus.start()
    sent: dict[str, float] = {}
    received: dict[str, float] = {}
    replied: dict[str, float] = {}  # the reply's own `time` (built right after scoring), as perf_counter

    async def collect(event: Event) -> None:
        puid = str(event.get_extension("requestid"))
        if puid not in received:
            received[puid] = time.perf_counter()
            at = event.get_time()
            replied[puid] = received[puid] - (time.time() - at.timestamp()) if at is not None else received[puid]

    watcher = await bus.subscribe(topics.DETECTIONS, group=f"bench-{run_id}", handler=collect)
    try:
        await asyncio.to_thread(wait_http_ok, f"http://127.0.0.1:{port}/health/ready", proc, 120)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            body = {"name": "income-od", "config": {"basic": {"reference_uri": str(reference)}}}
            created = await client.post(OUTLIERS, json=body)
            assert created.status_code == 200, created.text

            async def loaded() -> bool:
                return bool((await client.get(f"{OUTLIERS}/income-od")).json()["status"]["state"] == "Loaded")

            await eventually(loaded, "the detector loaded", within_s=120, interval_s=0.2)
            # Warm up (imports, the group join, the first fetches) before the clock starts.
            warm = [f"warm-{i}" for i in range(20)]
            for puid in warm:
                await bus.publish(_request(puid, stream[0]), topic=topics.INFERENCE, key=puid)
            await eventually(lambda: all(p in received for p in warm), "the warm-up scored", within_s=120)
            events = [(f"p-{i}", _request(f"p-{i}", row)) for i, row in enumerate(stream)]  # built before the clock
            cpu_before = _cpu_s(proc.pid)
            per_tick = max(1, round(rate * 0.01))  # every 10 ms; acks are awaited aside, so they never slow the rate
            pending: list[asyncio.Future[Any]] = []
            started = time.perf_counter()
            for n in range(0, len(events), per_tick):
                delay = started + n / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                batch = events[n : n + per_tick]
                now = time.perf_counter()
                for puid, _ in batch:
                    sent[puid] = now
                pending.append(asyncio.gather(*(bus.publish(e, topic=topics.INFERENCE, key=p) for p, e in batch)))
            await asyncio.gather(*pending)
            published_s = time.perf_counter() - started
            with contextlib.suppress(AssertionError):  # what is not scored by then is reported as such
                await eventually(lambda: all(p in received for p in sent), "every prediction scored", 120, 0.1)
            done = max(received[p] for p in sent if p in received)
            cpu = _cpu_s(proc.pid) - cpu_before
            status = (await client.get(f"{OUTLIERS}/income-od")).json()["status"]
    finally:
        await watcher.stop()
        await bus.close()
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
        admin = await asyncpg.connect(pg.endpoint)
        await admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        await admin.close()
    return {"sent": sent, "received": received, "replied": replied, "started": started, "published_s": published_s,
            "done_s": done - started, "cpu_s": cpu, "status": status}  # fmt: skip


def _row(label: str, puids: list[str], out: dict[str, Any]) -> str:
    if not puids:
        return f"| {label} | 0 |" + " - |" * 6
    sent = out["sent"]
    scored = [(out["replied"][p] - sent[p]) * 1000 for p in puids]
    received = [(out["received"][p] - sent[p]) * 1000 for p in puids]
    cells = [statistics.median(scored), float(np.percentile(scored, 95)), float(np.percentile(scored, 99)),
             max(scored), statistics.median(received), float(np.percentile(received, 95))]  # fmt: skip
    return f"| {label} | {len(puids):,} | " + " | ".join(f"{v:,.0f}" for v in cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=int, default=1000, help="predictions per second")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--bus", choices=("kafka", "postgres"), default="kafka")
    args = parser.parse_args()
    began = dt.datetime.now(dt.UTC)
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-outliers-") as work:
        out = asyncio.run(run(args.rate, args.seconds, args.bus, Path(work)))
    sent, received, started = out["sent"], out["received"], out["started"]
    scored = [p for p in sent if p in received]
    print(
        f"{began:%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs; Python {platform.python_version()}; load average "
        f"(1/5/15 min) {load[0]:.2f}/{load[1]:.2f}/{load[2]:.2f} at the start, "
        f"{'/'.join(f'{v:.2f}' for v in os.getloadavg())} at the end; bus {args.bus}"
    )
    total = len(sent)
    print(
        f"{total:,} predictions published in {out['published_s']:.1f} s ({total / out['published_s']:,.0f}/s); "
        f"{len(scored):,} scored, the last {out['done_s']:.1f} s after the first was published "
        f"({len(scored) / out['done_s']:,.0f} instances/s); detectors CPU {out['cpu_s'] / total * 1000:.2f} s "
        f"per 1,000 predictions; status throughput {out['status']['throughput']['instances_scored']:,} instances\n"
    )
    print("| published during | scored | scoring lag p50 ms | p95 | p99 | max | reply received p50 ms | p95 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print(_row("whole run", scored, out))
    for start in range(0, int(out["published_s"]), SLICE_S):
        window = [p for p in scored if start <= sent[p] - started < start + SLICE_S]
        print(_row(f"{start}-{start + SLICE_S} s", window, out))
    missing = total - len(scored)
    print(f"\n{'every prediction scored' if not missing else f'{missing:,} predictions NOT scored within 120 s'}")


if __name__ == "__main__":
    main()
