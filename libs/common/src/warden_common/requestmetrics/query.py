"""The request monitoring query (`GET {base}/monitor/requests`) and its answer, the same in both modes.

A query covers `(start, end]` in `step`-second windows; point `t` counts the requests that finished in
`(t - step, t]`. Each predictor gets its points and a total over the whole range: requests, rate, success (status
below 400) vs failure, the count per status code and latency percentiles read off the summed histogram the way
PromQL's `histogram_quantile` does, so Prometheus (distributed) and Warden's own store (standalone) agree.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from warden_common.errors import Unprocessable
from warden_common.requestmetrics.rollup import LATENCY_BUCKETS, WINDOW_SECONDS

MIN_STEP_S = WINDOW_SECONDS
MAX_STEP_S = 86_400
MAX_POINTS = 1_100
DEFAULT_RANGE = timedelta(minutes=30)
DEFAULT_POINTS = 120
QUANTILES = (("p50", 0.5), ("p90", 0.9), ("p99", 0.99))
Service = Literal["predictions", "feedback"]


class BadQuery(Unprocessable):
    code = "invalid_query"


@dataclass(frozen=True)
class RequestQuery:
    namespace: str
    deployment: str
    start: datetime
    end: datetime
    step_s: int
    service: str = "predictions"

    @property
    def points(self) -> list[datetime]:
        """The end of every window, oldest first."""
        count = int((self.end - self.start).total_seconds()) // self.step_s
        return [self.start + timedelta(seconds=self.step_s * (i + 1)) for i in range(count)]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def build_query(
    namespace: str,
    deployment: str,
    start: datetime | None,
    end: datetime | None,
    step: int | None,
    service: str = "predictions",
    now: datetime | None = None,
) -> RequestQuery:
    """The query, with defaults (the last 30 minutes, about 120 points); `BadQuery` naming the parameter."""
    end = _aware(end) if end is not None else (now or datetime.now(UTC))
    start = _aware(start) if start is not None else end - DEFAULT_RANGE
    if end <= start:
        raise BadQuery(f"query parameter 'end' ({end.isoformat()}) must be after 'start' ({start.isoformat()})")
    span = (end - start).total_seconds()
    if step is None:
        step = max(MIN_STEP_S, math.ceil(span / DEFAULT_POINTS / WINDOW_SECONDS) * WINDOW_SECONDS)
    if not MIN_STEP_S <= step <= MAX_STEP_S:
        raise BadQuery(f"query parameter 'step' must be between {MIN_STEP_S} and {MAX_STEP_S} seconds, got {step}")
    if span < step:
        raise BadQuery(f"query parameter 'step' ({step} s) is longer than the range 'start'..'end' ({span:.0f} s)")
    if span / step > MAX_POINTS:
        raise BadQuery(
            f"query parameter 'step' ({step} s) gives {math.floor(span / step)} points from 'start' to 'end'; "
            f"at most {MAX_POINTS}: use a larger step or a shorter range"
        )
    return RequestQuery(namespace, deployment, start, end, step, service)


# ----- histograms -------------------------------------------------------------------------------------------


@dataclass
class Histogram:
    """Requests per status code and latency counts per bucket (not cumulative; the last is unbounded)."""

    codes: dict[str, float] = field(default_factory=dict)
    buckets: list[float] = field(default_factory=lambda: [0.0] * (len(LATENCY_BUCKETS) + 1))

    def add(self, code: str, buckets: Sequence[float]) -> None:
        self.codes[code] = self.codes.get(code, 0.0) + float(sum(buckets))
        for i, count in enumerate(buckets):
            self.buckets[i] += count

    def merge(self, other: Histogram) -> None:
        for code, count in other.codes.items():
            self.codes[code] = self.codes.get(code, 0.0) + count
        for i, count in enumerate(other.buckets):
            self.buckets[i] += count


def quantile(q: float, buckets: Sequence[float]) -> float | None:
    """PromQL's `histogram_quantile` over non-cumulative `buckets` of `LATENCY_BUCKETS` (+ the unbounded one):
    linear interpolation inside the bucket the rank falls in; the highest bound when it falls in the last one."""
    total = sum(buckets)
    if total <= 0:
        return None
    rank = q * total
    below = 0.0
    for i, count in enumerate(buckets):
        if below + count >= rank and count > 0:
            if i == len(LATENCY_BUCKETS):
                return LATENCY_BUCKETS[-1]
            lower = LATENCY_BUCKETS[i - 1] if i > 0 else 0.0
            return lower + (LATENCY_BUCKETS[i] - lower) * (rank - below) / count
        below += count
    return LATENCY_BUCKETS[-1]


# ----- the answer -------------------------------------------------------------------------------------------


class Latency(BaseModel):
    p50: float | None = Field(description="Median latency (seconds); null without requests")
    p90: float | None = Field(description="90th percentile latency (seconds)")
    p99: float | None = Field(description="99th percentile latency (seconds)")


class Traffic(BaseModel):
    requests: float = Field(
        description="Requests that finished in the window (from Prometheus, extrapolated: may be fractional)"
    )
    requestsPerSecond: float = Field(description="`requests` divided by the window's length")
    success: float = Field(description="Requests answered with a status below 400")
    failure: float = Field(description="Requests answered with 4xx or 5xx")
    codes: dict[str, float] = Field(description="Requests per HTTP status code")
    latencySeconds: Latency


class Point(Traffic):
    time: datetime = Field(description="End of the window; it covers (time - step, time]")


class PredictorTraffic(BaseModel):
    predictor: str = Field(description="The predictor (endpoint) name, e.g. default, canary or a shadow's name")
    points: list[Point]
    total: Traffic = Field(description="The whole range at once")


class RequestMetricsPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "namespace": "seldon", "name": "iris", "service": "predictions", "source": "prometheus",
                "start": "2026-01-05T10:00:00Z", "end": "2026-01-05T10:02:00Z", "step": 60,
                "predictors": [{
                    "predictor": "default",
                    "points": [{
                        "time": "2026-01-05T10:01:00Z", "requests": 540.0, "requestsPerSecond": 9.0,
                        "success": 538.0, "failure": 2.0, "codes": {"200": 538.0, "422": 2.0},
                        "latencySeconds": {"p50": 0.0031, "p90": 0.0052, "p99": 0.0094},
                    }],
                    "total": {
                        "requests": 1080.0, "requestsPerSecond": 9.0, "success": 1078.0, "failure": 2.0,
                        "codes": {"200": 1078.0, "422": 2.0},
                        "latencySeconds": {"p50": 0.0031, "p90": 0.0051, "p99": 0.0092},
                    },
                }],
            }
        }
    )  # fmt: skip

    namespace: str
    name: str
    service: str = Field(description="`predictions` or `feedback`")
    source: Literal["prometheus", "warden"] = Field(
        description="Where the numbers come from: Prometheus (distributed) or Warden's own store (standalone)"
    )
    start: datetime
    end: datetime
    step: int = Field(description="Window length in seconds")
    predictors: list[PredictorTraffic]


def _traffic(histogram: Histogram, seconds: float) -> dict[str, object]:
    requests = sum(histogram.codes.values())
    failure = sum(count for code, count in histogram.codes.items() if not code.isdigit() or int(code) >= 400)
    return {
        "requests": requests,
        "requestsPerSecond": requests / seconds,
        "success": requests - failure,
        "failure": failure,
        "codes": dict(sorted(histogram.codes.items())),
        "latencySeconds": {name: quantile(q, histogram.buckets) for name, q in QUANTILES},
    }


def answer(
    query: RequestQuery,
    source: Literal["prometheus", "warden"],
    windows: Mapping[str, Mapping[int, Histogram]],
) -> RequestMetricsPublic:
    """The answer from each predictor's histogram per point index (missing points: no requests)."""
    times = query.points
    predictors = []
    for predictor in sorted(windows):
        per_point = windows[predictor]
        total = Histogram()
        points = []
        for i, time in enumerate(times):
            histogram = per_point.get(i) or Histogram()
            total.merge(histogram)
            points.append({"time": time, **_traffic(histogram, query.step_s)})
        span = query.step_s * len(times)
        predictors.append({"predictor": predictor, "points": points, "total": _traffic(total, span)})
    return RequestMetricsPublic.model_validate(
        {
            "namespace": query.namespace, "name": query.deployment, "service": query.service, "source": source,
            "start": query.start, "end": query.end, "step": query.step_s, "predictors": predictors,
        }
    )  # fmt: skip


def bucket_index(le: str) -> int | None:
    """The position of a Prometheus `le` label value in the non-cumulative bucket list (None if unknown)."""
    if le == "+Inf":
        return len(LATENCY_BUCKETS)
    try:
        bound = float(le)
    except ValueError:
        return None
    for i, known in enumerate(LATENCY_BUCKETS):
        if math.isclose(known, bound, rel_tol=1e-9):
            return i
    return None


def decumulate(cumulative: Iterable[tuple[int, float]]) -> list[float]:
    """Non-cumulative bucket counts from (bucket index, cumulative count) pairs (any order, gaps allowed)."""
    counts = [0.0] * (len(LATENCY_BUCKETS) + 1)
    previous = 0.0
    for index, value in sorted(cumulative):
        counts[index] = max(value - previous, 0.0)
        previous = max(previous, value)
    return counts
