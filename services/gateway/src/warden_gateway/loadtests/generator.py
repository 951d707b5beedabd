"""The load generator: `connections` concurrent HTTP/1.1 connections send one payload to a data-plane URL until a
request count or a duration is reached, like `hey -c N -n M | -z D`, which Seldon Deploy ran.

Plain-HTTP URLs (the data plane's own address, what the gateway gives it) go through `warden_common.http1`, the
low-CPU client of the data plane's own hops: on two shared cores an httpx call's ~1.6 ms of client CPU would show
in the tester's latencies (and not in the server's), so the tester would report the machine, not the deployment.
https URLs go through httpx. Over http1 a call's latency is timed by its connection, from the request handed to the
socket to the answer's last byte parsed (as wrk times it): with `connections` coroutines on one loop, the wall
clock around `await` would also count each coroutine's wait for its turn after its answer arrived - the client's
scheduling, not the deployment's latency. Over httpx, and for calls without an answer, the wall clock is used.

Latencies go into HdrHistograms (microseconds, 3 significant digits), one for all requests and one per endpoint
(predictor) that answered, read off the data plane's `X-Warden-Endpoint` reply header, so a canary's figures are
kept apart from the default's. Every call carries `X-Warden-Loadtest: <job>`, which marks its logged requests.
"""

from __future__ import annotations

import asyncio
import time
from bisect import bisect_left
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any
from urllib.parse import urlsplit

import httpx
from hdrh.histogram import HdrHistogram

from warden_common.events.inference import ENDPOINT_HEADER, LOAD_TEST_HEADER
from warden_common.http1 import Http1Pool, UpstreamUnreachable

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


def _percentiles_us(histogram: HdrHistogram, percentiles: tuple[float, ...]) -> list[int]:
    """`histogram.get_value_at_percentile(p)` for each p, equal to it, in one C-speed pass over the counts.

    hdrh walks its counts array in Python per percentile (and its mean in an iterator per bucket): a summary of three
    histograms took ~75 ms, and the generator summarizes every heartbeat while it sends. On its one event loop that
    stall held the answers of every connection unread, so the tester's p99 carried its own pauses (issue 14).
    """
    last = histogram.get_counts_array_index(histogram.get_max_value())
    cumulative = list(accumulate(histogram.counts[: last + 1]))
    return [
        histogram.get_highest_equivalent_value(
            histogram.get_value_from_index(bisect_left(cumulative, histogram.get_target_count_at_percentile(p)))
        )
        for p in percentiles
    ]


class _Stats:
    """Counts and latencies of one endpoint, or of all of them."""

    def __init__(self) -> None:
        self.histogram = HdrHistogram(_LOWEST_US, _HIGHEST_US, _DIGITS)
        self.statuses: Counter[str] = Counter()
        self.total_us = 0
        """Sum of the recorded latencies: the exact mean, where the histogram's is its buckets' midpoints'."""

    def record(self, status: str, latency_us: int) -> None:
        latency_us = min(max(latency_us, _LOWEST_US), _HIGHEST_US)
        self.statuses[status] += 1
        self.total_us += latency_us
        self.histogram.record_value(latency_us)

    def summary(self) -> dict[str, Any]:
        total = sum(self.statuses.values())
        ok = sum(n for code, n in self.statuses.items() if code.startswith("2"))
        if total:
            p50, p90, p99 = _percentiles_us(self.histogram, (50, 90, 99))
            latency = {
                "p50": p50 / 1000, "p90": p90 / 1000, "p99": p99 / 1000,
                "max": self.histogram.get_max_value() / 1000, "mean": round(self.total_us / total / 1000, 3),
            }  # fmt: skip
        else:
            latency = {"p50": 0.0, "p90": 0.0, "p99": 0.0, "max": 0.0, "mean": 0.0}
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


Send = Callable[[], Awaitable[tuple[str, str, int | None]]]
"""One call of the plan: (status code or TRANSPORT_ERROR, endpoint that answered, the call's latency in µs as the
connection timed it, or None to take the caller's wall clock around the call)."""


async def run_load(plan: LoadPlan, job: str, run: LoadRun | None = None) -> LoadRun:
    """Send the load; returns the finished run (pass `run` to watch it while it goes). Cancel the task to stop."""
    run = run or LoadRun()
    headers = {"content-type": "application/json", LOAD_TEST_HEADER: job, **plan.headers}
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

    async def worker(send: Send) -> None:
        while take():
            began = time.perf_counter_ns()
            status, endpoint, latency_us = await send()
            if latency_us is None:
                latency_us = (time.perf_counter_ns() - began) // 1000
            run.record(endpoint, status, latency_us)

    async def all_workers(send: Send) -> None:
        try:
            await asyncio.gather(*(worker(send) for _ in range(plan.connections)))
        finally:
            run.finished = time.perf_counter()

    url = urlsplit(plan.url)
    if url.scheme == "http":
        await _over_http1(plan, url.hostname or "127.0.0.1", url.port or 80, url.path, url.query, headers,
                          all_workers)  # fmt: skip
    else:
        await _over_httpx(plan, headers, all_workers)
    return run


async def _over_http1(
    plan: LoadPlan, host: str, port: int, path: str, query: str, headers: dict[str, str],
    body: Callable[[Send], Awaitable[None]],
) -> None:  # fmt: skip
    pool = Http1Pool(max_idle_per_host=plan.connections, keep_headers=(ENDPOINT_HEADER,))
    target = f"{path}?{query}" if query else path
    fields = [(name, value) for name, value in headers.items() if name.lower() != "content-length"]

    async def send() -> tuple[str, str, int | None]:
        try:
            answer = await pool.request("POST", host, port, target, plan.payload, plan.timeout_s, fields)
        except (UpstreamUnreachable, TimeoutError):
            return TRANSPORT_ERROR, UNKNOWN_ENDPOINT, None
        endpoint = answer.headers.get(ENDPOINT_HEADER.lower(), UNKNOWN_ENDPOINT)
        return str(answer.status), endpoint, answer.elapsed_ns // 1000

    try:
        await body(send)
    finally:
        pool.close()


async def _over_httpx(plan: LoadPlan, headers: dict[str, str], body: Callable[[Send], Awaitable[None]]) -> None:
    # Straight to an httpx transport (a pool of `connections`): the client layer above it would log every request
    # at INFO, thousands of lines per test.
    timeout = {"timeout": httpx.Timeout(plan.timeout_s).as_dict()}
    limits = httpx.Limits(max_connections=plan.connections, max_keepalive_connections=plan.connections)
    async with httpx.AsyncHTTPTransport(limits=limits, trust_env=False) as transport:

        async def send() -> tuple[str, str, int | None]:
            request = httpx.Request("POST", plan.url, headers=headers, content=plan.payload, extensions=timeout)
            try:
                answer = await transport.handle_async_request(request)
                try:
                    await answer.aread()
                finally:
                    await answer.aclose()
            except httpx.TransportError:
                return TRANSPORT_ERROR, UNKNOWN_ENDPOINT, None
            return str(answer.status_code), answer.headers.get(ENDPOINT_HEADER, UNKNOWN_ENDPOINT), None

        await body(send)
