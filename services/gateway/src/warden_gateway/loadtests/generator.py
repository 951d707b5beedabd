"""The load generator: `connections` concurrent HTTP/1.1 connections (httpx) send one payload to a data-plane URL
until a request count or a duration is reached, like `hey -c N -n M | -z D`, which Seldon Deploy ran.

Latencies go into HdrHistograms (microseconds, 3 significant digits), one for all requests and one per endpoint
(predictor) that answered, read off the data plane's `X-Warden-Endpoint` reply header, so a canary's figures are
kept apart from the default's. Every call carries `X-Warden-Loadtest: <job>`, which marks its logged requests.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
from hdrh.histogram import HdrHistogram

from warden_common.events.inference import ENDPOINT_HEADER, LOAD_TEST_HEADER

_LOWEST_US, _HIGHEST_US, _DIGITS = 1, 3_600_000_000, 3  # 1 µs .. 1 h at 3 significant digits
TRANSPORT_ERROR = "transport"
"""The `statusCodes` key of calls that got no HTTP answer (refused, reset, timed out)."""
UNKNOWN_ENDPOINT = "unknown"


@dataclass(frozen=True)
class LoadPlan:
    url: str
    payload: bytes
    connections: int
    requests: int | None
    """Stop after this many requests (None: run for `duration_s`)."""
    duration_s: float | None
    headers: dict[str, str] = field(default_factory=dict)
    timeout_s: float = 30.0


class _Stats:
    """Counts and latencies of one endpoint, or of all of them."""

    def __init__(self) -> None:
        self.histogram = HdrHistogram(_LOWEST_US, _HIGHEST_US, _DIGITS)
        self.statuses: Counter[str] = Counter()

    def record(self, status: str, latency_us: int) -> None:
        self.statuses[status] += 1
        self.histogram.record_value(min(max(latency_us, _LOWEST_US), _HIGHEST_US))

    def summary(self) -> dict[str, Any]:
        total = sum(self.statuses.values())
        ok = sum(n for code, n in self.statuses.items() if code.startswith("2"))
        h = self.histogram
        latency = {
            "p50": h.get_value_at_percentile(50) / 1000, "p90": h.get_value_at_percentile(90) / 1000,
            "p99": h.get_value_at_percentile(99) / 1000, "max": h.get_max_value() / 1000,
            "mean": round(h.get_mean_value() / 1000, 3),
        } if total else {"p50": 0.0, "p90": 0.0, "p99": 0.0, "max": 0.0, "mean": 0.0}  # fmt: skip
        errors = {code: n for code, n in sorted(self.statuses.items()) if not code.startswith("2")}
        return {
            "requests": total, "succeeded": ok, "failed": total - ok, "latencyMs": latency,
            "statusCodes": dict(sorted(self.statuses.items())), "errors": errors,
        }  # fmt: skip


class LoadRun:
    """One run's figures as they accumulate; `summary()` may be read while it runs (the job's progress)."""

    def __init__(self) -> None:
        self.overall = _Stats()
        self.endpoints: dict[str, _Stats] = {}
        self.started = time.perf_counter()
        self.finished: float | None = None

    def record(self, endpoint: str, status: str, latency_us: int) -> None:
        self.overall.record(status, latency_us)
        self.endpoints.setdefault(endpoint, _Stats()).record(status, latency_us)

    def summary(self) -> dict[str, Any]:
        elapsed = (self.finished or time.perf_counter()) - self.started
        out = self.overall.summary()
        out["durationSeconds"] = round(elapsed, 3)
        out["throughput"] = round(out["requests"] / elapsed, 3) if elapsed > 0 else 0.0
        out["endpoints"] = {name: stats.summary() for name, stats in sorted(self.endpoints.items())}
        return out


async def run_load(plan: LoadPlan, job: str, run: LoadRun | None = None) -> LoadRun:
    """Send the load; returns the finished run (pass `run` to watch it while it goes). Cancel the task to stop.

    Requests go straight to an httpx transport (a connection pool of `connections`): the client layer above it
    would log every request at INFO, thousands of lines per test."""
    run = run or LoadRun()
    headers = {"content-type": "application/json", LOAD_TEST_HEADER: job, **plan.headers}
    timeout = {"timeout": httpx.Timeout(plan.timeout_s).as_dict()}
    limits = httpx.Limits(max_connections=plan.connections, max_keepalive_connections=plan.connections)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + plan.duration_s if plan.duration_s is not None else None
    remaining = [plan.requests if plan.requests is not None else -1]

    def take() -> bool:
        if deadline is not None:
            return loop.time() < deadline
        if remaining[0] <= 0:
            return False
        remaining[0] -= 1
        return True

    async with httpx.AsyncHTTPTransport(limits=limits, trust_env=False) as transport:

        async def worker() -> None:
            while take():
                request = httpx.Request("POST", plan.url, headers=headers, content=plan.payload, extensions=timeout)
                began = time.perf_counter_ns()
                try:
                    answer = await transport.handle_async_request(request)
                    try:
                        await answer.aread()
                    finally:
                        await answer.aclose()
                    status, endpoint = str(answer.status_code), answer.headers.get(ENDPOINT_HEADER, UNKNOWN_ENDPOINT)
                except httpx.TransportError:
                    status, endpoint = TRANSPORT_ERROR, UNKNOWN_ENDPOINT
                run.record(endpoint, status, (time.perf_counter_ns() - began) // 1000)

        try:
            await asyncio.gather(*(worker() for _ in range(plan.connections)))
        finally:
            run.finished = time.perf_counter()
    return run
