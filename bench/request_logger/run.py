"""Request logger benchmark: bus -> searchable in a log store, against writing the documents directly.

    uv run python bench/request_logger/run.py [--store opensearch|postgres] [--predictions 50000] [--rounds 2]
                                              [--warmup 1] [--rate 1000] [--seconds 30] [--settle 20]
                                              [--stage-log FILE] [--profile DIR]

Starts the servers it needs (Kafka, and OpenSearch or PostgreSQL) through `warden_common.testing.servers`
unless they are already up (they are left running); loopback only. It uses its own topics and index prefixes or
databases and deletes them afterwards. Three measurements, in one run, on the chosen store:

1. ceiling: the documents the logger would write for N predictions (built by the logger's own code: parsed,
   request and response merged, turned into the adapter's final documents), written straight into the store,
   500 per request, 4 concurrent writers, timed until all N are searchable. OpenSearch: plain bulk `index`
   into the logger's index template (no refresh asked for); PostgreSQL: the store's own upsert, each request
   committed (a commit is what makes it visible);
2. end to end: N predictions (request + response executor events, 2N bus events) pre-published to Kafka, then
   the logger (`python -m warden_request_logger`, its own process) started; timed from the moment it reports
   ready (interpreter start and imports excluded, as the ceiling excludes the store's; group join included)
   until all N documents are searchable with both parts. Reported as events/s and documents/s, and as % of
   the ceiling (the rate counting the logger's whole startup is printed too);
3. lag: predictions published at a steady rate (request then response, 1,000/s by default) for some seconds
   with the logger running; every 100 ms the number of complete searchable documents is sampled. Documents
   become searchable in publish order up to a refresh, so the k-th prediction's lag is taken as the first
   sample time with count >= k minus the publish time of its response. p50/p99/max are printed, and the
   logger's own `warden_request_log_lag_seconds` histogram (event time -> the write that made it searchable
   returned) is read from its /metrics as a cross-check. `--stage-log FILE` runs this logger at debug level
   and keeps its log: per batch the event's age when consumed, build and store time, per write the linger.

Phases 1 and 2 alternate `--rounds` times after `--warmup` uncounted pairs (a fresh OpenSearch runs its first
phase cold: 2,406 against 6,972 documents/s a minute later) and the median ratio is printed; each starts once
the machine is quiet (`measure.settle`, at most `--settle` seconds). Beside wall-clock numbers each phase prints
CPU seconds per 1,000 predictions (the logger process; on OpenSearch also the node's indexing/refresh/merge time
on the phase's indices), which a busy machine disturbs far less.
`--profile DIR` runs the end-to-end logger under cProfile and writes DIR/logger.prof.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import re
import signal
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from cloudevents.core.v1.event import CloudEvent
from measure import busy_since, load_average, machine, machine_ticks, peak_memory_mb, process_cpu_s, settle
from targets import OpenSearchTarget, PostgresTarget, Target, ensure_servers, infra_pid

from warden_common.bus.kafka import KafkaBus
from warden_common.logstore import LogWrite
from warden_common.logstore import opensearch_bulk as bulk
from warden_common.settings import BusSettings
from warden_request_logger.documents import DocumentBuilder, EventContext

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


async def wait_searchable(target: Target, phase: str, n: int, timeout_s: float = 900,
                          first: list[float] | None = None) -> float:  # fmt: skip
    """When all n are searchable; `first` gets when the first ones were (a phase's start-up, apart).

    Each count costs the store 2-3 ms of CPU (and this process about as much) on the cores the phase measures:
    every 50 ms through a whole end-to-end phase that was ~4% of the machine, which the ceiling, counting only
    once its writes have returned, did not pay. So counts are every 50 ms until the first documents show and
    when the end is near, and in between half the time the last rate says is left, at most 0.5 s apart.
    """
    deadline = time.monotonic() + timeout_s
    before: tuple[float, int] | None = None
    while time.monotonic() < deadline:
        found, now = await target.count_complete(phase), time.monotonic()
        if found and first is not None and not first:
            first.append(now)
        if found >= n:
            return now
        pause = 0.05
        if found and before is not None and found > before[1]:
            rate = (found - before[1]) / (now - before[0])
            pause = min(0.5, max(0.05, 0.5 * (n - found) / rate))
        before = (now, found) if found else None
        await asyncio.sleep(pause)
    raise TimeoutError(f"{n} documents not searchable after {timeout_s}s")


def final_documents(n: int) -> list[LogWrite]:
    """The documents the logger ends up storing for n predictions (request and response merged)."""
    builder = DocumentBuilder(max_payload_bytes=8 * 1024 * 1024)
    writes: list[LogWrite] = []
    for i in range(n):
        _, request, response = prediction(i, "ceiling")
        writes += [*builder.build(request, EventContext.of(request), None),
                   *builder.build(response, EventContext.of(response), None)]  # fmt: skip
    return [merged for merged, _ in bulk.coalesce(writes)]


async def ceiling(target: Target, n: int, settle_s: float) -> float:
    """The final documents written straight into the store, no logger involved."""
    merged = final_documents(n)
    phase = await target.new_phase()
    try:
        await asyncio.to_thread(settle, within_s=settle_s)
        cpu, own_cpu, ticks = await target.cpu_now(), time.process_time(), machine_ticks()
        started = time.monotonic()
        await target.direct_write(phase, merged)
        done = await wait_searchable(target, phase, n)
        busy, own_cpu = busy_since(ticks), time.process_time() - own_cpu
        note = await target.work_note(phase, n, cpu)
        print(f"  {note}; this bench process (the writers) {1000 * own_cpu / n:.2f} s per 1,000; "
              f"the machine {busy:.0%} busy")  # fmt: skip
        return n / (done - started)
    finally:
        await target.forget(phase)


def start_logger(target: Target, phase: str, topic: str, port: int, *, profile: Path | None = None,
                 stage_log: Path | None = None, replica: int = 0) -> asyncio.Future[Any]:  # fmt: skip
    """One logger process; replicas of one phase share its consumer group (each gets some of the partitions)."""
    env = {**os.environ, "WARDEN_LOGGER_PORT": str(port), "WARDEN_LOGGER_BUS__KIND": "kafka",
           "WARDEN_LOGGER_BUS__KAFKA_BOOTSTRAP": KAFKA, "WARDEN_LOGGER_BUS__PARTITIONS": str(PARTITIONS),
           **target.logger_env(phase), "WARDEN_LOGGER_INPUT_TOPICS": f'["{topic}"]',
           "WARDEN_LOGGER_CONSUMER_GROUP": f"bench-{topic}", "WARDEN_LOGGER_INSTANCE_ID": f"{topic}-{replica}",
           "WARDEN_LOGGER_LOG_LEVEL": "DEBUG" if stage_log else "WARNING", **LOGGER_ENV}  # fmt: skip
    profiling = ["-m", "cProfile", "-o", str(profile)] if profile else []
    output: Any = stage_log.open("w") if stage_log else asyncio.subprocess.DEVNULL
    return asyncio.ensure_future(asyncio.create_subprocess_exec(
        sys.executable, *profiling, "-m", "warden_request_logger", env=env, stdout=output, stderr=output,
    ))  # fmt: skip


async def stop(process: asyncio.subprocess.Process) -> None:
    # SIGINT: uvicorn shuts down cleanly, then re-raises it as KeyboardInterrupt, which cProfile survives to write
    # its file (a re-raised SIGTERM would kill the process before that).
    process.send_signal(signal.SIGINT)
    await process.wait()


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


async def logged_lag(port: int) -> str:
    """The logger's own lag histogram: count, mean and the share within 0.5 s and 1 s."""
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
        text = (await client.get("/metrics")).text
    values: dict[str, float] = {}
    for match in re.finditer(r"^warden_request_log_lag_seconds_(bucket|count|sum)\{([^}]*)\} (\S+)$", text, re.M):
        le = re.search(r'le="([^"]+)"', match[2])
        values[f"{match[1]}{le[1] if le else ''}"] = float(match[3])
    count = values.get("count", 0.0)
    if not count:
        return "no observations"
    return (f"{count:,.0f} events, mean {values['sum'] / count:.2f} s, within 0.5 s {values['bucket0.5'] / count:.1%}"
            f", within 1 s {values['bucket1.0'] / count:.1%}")  # fmt: skip


async def publish(bus: KafkaBus, topic: str, items: list[tuple[str, CloudEvent, CloudEvent]]) -> None:
    await asyncio.gather(*(bus.publish(req, topic=topic, key=rid) for rid, req, _ in items))
    await asyncio.gather(*(bus.publish(resp, topic=topic, key=rid) for rid, _, resp in items))


async def end_to_end(target: Target, bus: KafkaBus, n: int, settle_s: float, profile: Path | None,
                     replicas: int = 1) -> float:  # fmt: skip
    """Timed from the first logger's readiness (so with replicas, the later ones' start-up counts against them)."""
    topic = f"bench-{uuid.uuid4().hex[:8]}"
    phase = await target.new_phase()
    items = [prediction(i, "e2e") for i in range(n)]
    for start in range(0, n, 1000):
        await publish(bus, topic, items[start : start + 1000])
    await asyncio.to_thread(settle, within_s=settle_s)
    started = time.monotonic()
    ports = [18931 + 10 * replica for replica in range(replicas)]
    profiles = [profile.with_name(f"logger-{replica}.prof") if profile and replica else profile
                for replica in range(replicas)]  # fmt: skip
    processes = [await start_logger(target, phase, topic, port, replica=replica, profile=profiles[replica])
                 for replica, port in enumerate(ports)]  # fmt: skip
    try:
        ready_at = await asyncio.gather(*(wait_ready(port) for port in ports))
        ready, startup_cpu = min(ready_at), sum(process_cpu_s(process.pid) for process in processes)
        store_cpu, ticks, bus_cpu = await target.cpu_now(), machine_ticks(), kafka_cpu_s()
        first: list[float] = []
        done = await wait_searchable(target, phase, n, first=first)
        cpu = sum(process_cpu_s(process.pid) for process in processes) - startup_cpu
        bus_cpu = kafka_cpu_s() - bus_cpu
        busy = busy_since(ticks)
        print(f"  logger{f' x {replicas}' if replicas > 1 else ''}: ready {ready - started:.1f} s after its start "
              f"({startup_cpu:.1f} CPU s), first documents searchable {first[0] - ready:.2f} s after ready; then "
              f"{1000 * cpu / n:.2f} CPU s per 1,000 predictions (the Kafka broker: {1000 * bus_cpu / n:.2f}); "
              f"{n / (done - started):,.0f} documents/s counting the logger's startup; peak memory "
              f"{max(peak_memory_mb(process.pid) for process in processes):,.0f} MiB")  # fmt: skip
        print(f"  {await target.work_note(phase, n, store_cpu)}; the machine {busy:.0%} busy")
        return n / (done - ready)
    finally:
        await asyncio.gather(*(stop(process) for process in processes))
        await target.forget(phase)


def kafka_cpu_s() -> float:
    """The Kafka broker's CPU seconds so far (NaN when it is not this host's `scripts/infra` one)."""
    return process_cpu_s(KAFKA_PID) if KAFKA_PID else float("nan")


async def lag(target: Target, bus: KafkaBus, rate: int, seconds: int, stage_log: Path | None) -> dict[str, float]:
    topic = f"bench-{uuid.uuid4().hex[:8]}"
    phase = await target.new_phase()
    total = rate * seconds
    await bus.publish(prediction(0, "warm")[1], topic=topic, key="warm")  # topic exists before the logger
    process = await start_logger(target, phase, topic, 18932, stage_log=stage_log)
    try:
        await wait_ready(18932)
        await asyncio.sleep(3)  # the logger joins its group
        sent_at: list[float] = []
        samples: list[tuple[float, int]] = []
        stop_sampling = asyncio.Event()

        async def sample() -> None:
            while not stop_sampling.is_set():
                samples.append((time.monotonic(), await target.count_complete(phase)))
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
        await wait_searchable(target, phase, total)
        cpu = process_cpu_s(process.pid) - cpu
        stop_sampling.set()
        await sampler
        print(
            f"  logger CPU at a steady rate: {1000 * cpu / total:.2f} s per 1,000 predictions; peak memory "
            f"{peak_memory_mb(process.pid):,.0f} MiB"
        )
        print(f"  the logger's own lag histogram: {await logged_lag(18932)}")
    finally:
        await stop(process)
        await target.forget(phase)
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
    parser.add_argument("--store", choices=["opensearch", "postgres"], default="opensearch")
    parser.add_argument("--predictions", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=2, help="ceiling / end-to-end pairs, alternated")
    parser.add_argument("--warmup", type=int, default=1, help="uncounted ceiling / end-to-end pairs run first")
    parser.add_argument("--rate", type=int, default=1_000, help="predictions/s of the lag run")
    parser.add_argument("--seconds", type=int, default=30, help="length of the lag run (0: skip it)")
    parser.add_argument("--settle", type=float, default=20, help="longest wait for a quiet machine per phase (s)")
    parser.add_argument("--stage-log", type=Path, help="the lag phase's logger log, at debug level (stage timings)")
    parser.add_argument("--profile", type=Path, help="directory for a cProfile of the end-to-end logger")
    parser.add_argument(
        "--logger-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting for every logger the bench starts, e.g. WARDEN_LOGGER_WRITE_LINGER_S=0",
    )
    parser.add_argument("--skip-ceiling", action="store_true", help="profiling runs: no ceiling phase")
    parser.add_argument("--replicas", type=int, default=1,
                        help="logger processes of the end-to-end phase, in one consumer group")  # fmt: skip
    args = parser.parse_args()
    global KAFKA, KAFKA_PID
    LOGGER_ENV.update(item.split("=", 1) for item in args.logger_env)
    endpoints = await asyncio.to_thread(functools.partial(ensure_servers, "kafka", args.store))
    KAFKA = os.environ.get("BENCH_KAFKA", endpoints["kafka"])
    KAFKA_PID = infra_pid("kafka", KAFKA)
    target: Target = (OpenSearchTarget(os.environ.get("BENCH_OPENSEARCH", endpoints["opensearch"]))
                      if args.store == "opensearch" else PostgresTarget(endpoints["postgres"]))  # fmt: skip
    print(machine(), f"store={target.name}")
    bus = KafkaBus(BusSettings(kind="kafka", kafka_bootstrap=KAFKA, partitions=PARTITIONS))
    await bus.start()
    ratios: list[float] = []
    try:
        # Alternating the two measurements spreads whatever else the machine does over both of them.
        # A fresh store runs its first phase cold (OpenSearch's JIT): uncounted warm-up pairs go first.
        for round_ in range(-args.warmup, args.rounds):
            if args.warmup and round_ == -args.warmup:
                print(f"warm-up ({args.warmup} uncounted pair(s)):")
            elif args.warmup and round_ == 0:
                print("counted rounds:")
            top = float("nan")
            if not args.skip_ceiling:
                top = await ceiling(target, args.predictions, args.settle)
                print(f"ceiling (direct writes of pre-built documents): {top:,.0f} documents/s "
                      f"(load average {load_average()})")  # fmt: skip
            profile = args.profile / "logger.prof" if args.profile else None
            e2e = await end_to_end(target, bus, args.predictions, args.settle, profile, args.replicas)
            if round_ >= 0:
                ratios.append(e2e / top)
            print(f"end to end (bus -> searchable): {e2e:,.0f} documents/s = {2 * e2e:,.0f} events/s "
                  f"= {100 * e2e / top:.0f}% of the ceiling (load average {load_average()})")  # fmt: skip
        if len(ratios) > 1:
            print(f"end to end / ceiling over {len(ratios)} rounds: median {100 * statistics.median(ratios):.0f}%")
        if args.seconds > 0:
            result: dict[str, Any] = await lag(target, bus, args.rate, args.seconds, args.stage_log)
            print(f"lag at {args.rate}/s for {args.seconds}s (achieved {result['achieved_rate']:,.0f}/s): "
                  f"p50 {result['p50']:.2f}s, p99 {result['p99']:.2f}s, max {result['max']:.2f}s "
                  f"(load average {load_average()})")  # fmt: skip
    finally:
        await bus.close()
        await target.close()
    print(f"load average at the end: {load_average()}")


KAFKA = ""
KAFKA_PID: int | None = None
LOGGER_ENV: dict[str, str] = {}

if __name__ == "__main__":
    asyncio.run(main())
