"""The request monitoring query answered from Prometheus (distributed mode), which scrapes the data plane's
`seldon_api_executor_server_requests_seconds` histogram.

One range query: the increase of every latency bucket per predictor and status code over each step; the answer is
then built exactly as from Warden's own store (`query.answer`), percentiles included.
"""

from __future__ import annotations

import json
import logging
import math
from collections import defaultdict

import httpx

from warden_common.errors import ServiceUnavailable
from warden_common.requestmetrics.query import (
    Histogram,
    RequestMetricsPublic,
    RequestQuery,
    answer,
    bucket_index,
    decumulate,
)

logger = logging.getLogger(__name__)

SERVER_HISTOGRAM = "seldon_api_executor_server_requests_seconds"


def _string(value: str) -> str:
    """A PromQL string literal (JSON's escaping is a subset of PromQL's double-quoted strings)."""
    return json.dumps(value)


def promql(q: RequestQuery) -> str:
    selector = ",".join(
        f"{label}={_string(value)}"
        for label, value in (("namespace", q.namespace), ("deployment_name", q.deployment), ("service", q.service))
    )
    return f"sum by (predictor_name, code, le) (increase({SERVER_HISTOGRAM}_bucket{{{selector}}}[{q.step_s}s]))"


async def query(client: httpx.AsyncClient, prometheus_url: str, q: RequestQuery) -> RequestMetricsPublic:
    points = q.points
    params = {
        "query": promql(q),
        "start": f"{points[0].timestamp():.3f}",
        "end": f"{points[-1].timestamp():.3f}",
        "step": f"{q.step_s}s",
    }
    try:
        response = await client.get(f"{prometheus_url.rstrip('/')}/api/v1/query_range", params=params)
    except httpx.HTTPError as exc:
        raise ServiceUnavailable(
            f"Prometheus at {prometheus_url} did not answer: {exc}", code="metrics_unavailable"
        ) from exc
    body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
    if response.status_code != 200 or body.get("status") != "success":
        logger.warning("prometheus query failed: %s %s", response.status_code, response.text[:500])
        raise ServiceUnavailable(
            f"Prometheus at {prometheus_url} answered {response.status_code}: {body.get('error', response.text[:200])}",
            code="metrics_unavailable",
        )
    cumulative: dict[tuple[str, str, int], list[tuple[int, float]]] = defaultdict(list)
    first = points[0].timestamp()
    for series in body["data"]["result"]:
        labels = series["metric"]
        index = bucket_index(labels.get("le", ""))
        if index is None:
            continue
        for timestamp, value in series["values"]:
            point = round((float(timestamp) - first) / q.step_s)
            if 0 <= point < len(points) and math.isfinite(float(value)):
                cumulative[(labels.get("predictor_name", ""), labels.get("code", ""), point)].append(
                    (index, float(value))
                )
    windows: dict[str, dict[int, Histogram]] = defaultdict(dict)
    for (predictor, code, point), buckets in cumulative.items():
        windows[predictor].setdefault(point, Histogram()).add(code, decumulate(buckets))
    return answer(q, "prometheus", windows)
