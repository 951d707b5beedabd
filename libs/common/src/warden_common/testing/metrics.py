"""Reading a running service's Prometheus metrics in tests."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families


def requests_counted(base: str, service: str, method: str, route: str) -> float:
    """`warden_http_requests_total` of one route template of one service's app (every status), read from
    `{base}/metrics`: what the request metrics count a call as."""
    return sum(
        sample.value
        for family in text_string_to_metric_families(httpx.get(f"{base}/metrics", timeout=30).text)
        for sample in family.samples
        if sample.name == "warden_http_requests_total"
        and (sample.labels["service"], sample.labels["method"], sample.labels["route"]) == (service, method, route)
    )
