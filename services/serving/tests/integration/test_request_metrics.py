"""Request metrics of a real deployment (MLServer default 70% / canary 30% / shadow): Seldon's executor histograms on
/metrics with the right labels, and the gateway's `monitor/requests` answering from Warden's own store (standalone)
and from a real Prometheus scraping the data plane (distributed), with the same shape and agreeing numbers."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from warden_common.bus.factory import create_bus
from warden_common.events.inference import EXPLAINER_HEADER
from warden_common.platform import Platform
from warden_common.settings import BusSettings, DatabaseSettings
from warden_common.testing.auth import AUTH_OFF
from warden_common.testing.servers.prometheus import private_prometheus
from warden_common.testing.waiting import eventually
from warden_gateway.main import create_app as create_gateway
from warden_gateway.settings import GatewaySettings, MonitoringSettings

from .harness import Serving, predictor, run_serving, seldon_deployment

pytestmark = pytest.mark.integration

IRIS = {"data": {"ndarray": [[6.8, 2.8, 4.8, 1.4]]}}
SERVER = "seldon_api_executor_server_requests_seconds"
CLIENT = "seldon_api_executor_client_requests_seconds"
LOAD = 300
BAD = 4
FEEDBACK = 3
EXPLAINER_CALLS = 5  # sent with X-Warden-Explainer: none of them may show in the metrics


@pytest.fixture
async def metered(
    postgres_bus: BusSettings, fresh_database: str, mlserver_bin: str, tmp_path: Path, unique_name: str
) -> AsyncIterator[Serving]:
    """The serving service writing its request rollups to the test database, as standalone does."""
    async with run_serving(
        postgres_bus, mlserver_bin, tmp_path / "serving", unique_name,
        request_metrics_store="postgres", request_metrics_flush_s=1.0,
        database=DatabaseSettings(dsn=SecretStr(fresh_database)),
    ) as running:  # fmt: skip
        yield running


@asynccontextmanager
async def gateway(platform: Platform, settings: GatewaySettings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_gateway(settings, platform)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://warden.test", timeout=30) as client:
            yield client


def server_counts(text: str, deployment: str) -> Counter[tuple[str, str, str]]:
    """(predictor, service, code) -> requests, from the server histogram's `_count` samples."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == f"{SERVER}_count" and sample.labels["deployment_name"] == deployment:
                labels = sample.labels
                counts[(labels["predictor_name"], labels["service"], labels["code"])] += int(sample.value)
    return counts


def samples(text: str, name: str, deployment: str) -> list[dict[str, str]]:
    return [
        s.labels
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == name and s.labels.get("deployment_name") == deployment
    ]


async def until_next_window() -> datetime:
    """Sleep to the next 10-second boundary; that boundary (a window of the standalone store starts there)."""
    now = time.time()
    boundary = (int(now) // 10 + 1) * 10
    await asyncio.sleep(boundary - now)
    return datetime.fromtimestamp(boundary, UTC)


async def test_metrics_per_predictor_and_the_query_in_both_modes(
    metered: Serving, demo_models: dict[str, str], fresh_database: str, tmp_path: Path
) -> None:
    name, ns = "rm-iris", metered.namespace
    spec = seldon_deployment(ns, name, [
        predictor("default", "SKLEARN_SERVER", demo_models["iris-sklearn"], traffic=70),
        predictor("canary", "XGBOOST_SERVER", demo_models["iris-xgboost"], traffic=30),
        predictor("mirror", "SKLEARN_SERVER", demo_models["iris-sklearn"], shadow=True),
    ])  # fmt: skip
    await metered.publish_spec(name, spec)
    await metered.wait_status(name, "Available", routed=["default", "canary"])
    predict = metered.data_url(name, "/api/v1.0/predictions")
    port = metered.base_url.rsplit(":", 1)[1]

    with private_prometheus(tmp_path / "prometheus", [f"127.0.0.1:{port}"]) as prometheus_url:
        # Warm up until Prometheus has a series of every predictor: the increase of a counter's first sample is
        # unknowable, so the measured range starts once every series exists.
        async def every_series_scraped() -> bool:
            await metered.http.post(predict, json=IRIS)
            query = f'count by (predictor_name) ({SERVER}_count{{deployment_name="{name}"}})'
            async with httpx.AsyncClient() as client:
                answer = await client.get(f"{prometheus_url}/api/v1/query", params={"query": query})
            return len(answer.json()["data"]["result"]) == 3

        await eventually(every_series_scraped, "Prometheus scraped default, canary and mirror", 60, interval_s=0.5)
        start = await until_next_window()
        await asyncio.sleep(1.5)  # a scrape after `start` and before the load

        served: Counter[str] = Counter()

        async def worker(count: int) -> None:
            for _ in range(count):
                response = await metered.http.post(predict, json=IRIS)
                assert response.status_code == 200, response.text
                served[next(iter(response.json()["meta"]["requestPath"].values()))] += 1

        await asyncio.gather(*(worker(LOAD // 4) for _ in range(4)))
        for _ in range(BAD):  # not JSON: counted under the default predictor (none was chosen), code 400
            bad = await metered.http.post(predict, content=b"{not json", headers={"Content-Type": "application/json"})
            assert bad.status_code == 400
        for _ in range(EXPLAINER_CALLS):  # an explainer's model calls: answered, but not the deployment's traffic
            explaining = await metered.http.post(predict, json=IRIS, headers={EXPLAINER_HEADER: "true"})
            assert explaining.status_code == 200, explaining.text
        for _ in range(FEEDBACK):
            feedback = {"response": {"data": {"ndarray": [[1]]}}, "truth": {"data": {"ndarray": [[1]]}}}
            assert (await metered.http.post(metered.data_url(name, "/api/v1.0/feedback"), json=feedback)).is_success
        end = await until_next_window()
        await asyncio.sleep(3)  # the window before `end` is written (every second here) and scraped
        text = (await metered.http.get("/metrics")).text

        # /metrics: every call under its predictor; shadow copies under the shadow; model calls per server.
        counts = server_counts(text, name)
        assert served["SKLEARN_SERVER"] > 0 and served["XGBOOST_SERVER"] > 0, served
        mirrored = counts[("mirror", "predictions", "200")]
        total_live = counts[("default", "predictions", "200")] + counts[("canary", "predictions", "200")]
        assert total_live == mirrored, counts  # every prediction was mirrored once (warm-up included)
        assert counts[("default", "predictions", "400")] == BAD
        assert sum(v for (p, s, _), v in counts.items() if s == "feedback") == FEEDBACK
        server_labels = samples(text, f"{SERVER}_count", name)[0]
        assert set(server_labels) == {
            "namespace", "deployment_name", "predictor_name", "predictor_version", "service", "method", "code",
        }  # fmt: skip
        assert server_labels["namespace"] == ns and server_labels["method"] == "post"
        images = {
            (s["predictor_name"], s["model_image"], s["model_name"]) for s in samples(text, f"{CLIENT}_count", name)
        }
        assert images == {
            ("default", "SKLEARN_SERVER", "classifier"), ("canary", "XGBOOST_SERVER", "classifier"),
            ("mirror", "SKLEARN_SERVER", "classifier"),
        }  # fmt: skip

        params = {"start": start.isoformat(), "end": end.isoformat(), "step": "10"}
        path = f"/seldon-deploy/api/v1alpha1/namespaces/{ns}/seldondeployments/{name}/monitor/requests"
        bus = create_bus(BusSettings(kind="postgres", postgres_dsn=SecretStr(fresh_database)))
        await bus.start()
        try:
            standalone = Platform(mode="standalone", bus=bus, database_dsn=fresh_database)
            async with gateway(standalone, GatewaySettings(auth=AUTH_OFF)) as client:
                own = (await client.get(path, params=params)).json()
                problems = await asserted_bad_queries(client, path)
            distributed = Platform(mode="distributed", bus=bus)
            settings = GatewaySettings(auth=AUTH_OFF, monitoring=MonitoringSettings(prometheus_url=prometheus_url))
            async with gateway(distributed, settings) as client:
                prom = (await client.get(path, params=params)).json()
        finally:
            await bus.close()

    # Deleting the deployment takes its series off /metrics (Prometheus keeps their history).
    await metered.delete(name)

    async def series_gone() -> bool:
        return not server_counts((await metered.http.get("/metrics")).text, name)

    await eventually(series_gone, "the deleted deployment's series removed", 60, interval_s=0.5)

    assert problems == []
    assert own["source"] == "warden" and prom["source"] == "prometheus"
    assert shape(own) == shape(prom)
    totals = {p["predictor"]: p["total"] for p in own["predictors"]}
    assert totals["default"]["codes"] == {"200": served["SKLEARN_SERVER"], "400": BAD}
    assert totals["default"]["success"] == served["SKLEARN_SERVER"] and totals["default"]["failure"] == BAD
    assert totals["canary"]["codes"] == {"200": served["XGBOOST_SERVER"]}
    assert totals["mirror"]["requests"] == LOAD
    assert (
        sum(point["requests"] for point in own["predictors"][0]["points"]) == own["predictors"][0]["total"]["requests"]
    )
    for predictor_name, total in totals.items():
        p50, p90, p99 = (total["latencySeconds"][k] for k in ("p50", "p90", "p99"))
        assert 0 < p50 <= p90 <= p99 < 5, (predictor_name, total)
    for entry in prom["predictors"]:
        theirs, ours = entry["total"], totals[entry["predictor"]]
        # Prometheus extrapolates increase() to the window edges: near, not equal.
        assert abs(theirs["requests"] - ours["requests"]) <= 0.2 * ours["requests"] + 2, (
            entry["predictor"],
            theirs,
            ours,
        )
        assert (
            abs(theirs["latencySeconds"]["p50"] - ours["latencySeconds"]["p50"]) <= 0.25 * ours["latencySeconds"]["p50"]
        )


def shape(answer: dict[str, Any]) -> tuple[Any, ...]:
    """What both modes must agree on exactly: keys, range, step, predictors and their point times."""
    predictors = tuple(
        (p["predictor"], tuple(pt["time"] for pt in p["points"]), tuple(sorted(p["total"])))
        for p in answer["predictors"]
    )
    return tuple(sorted(answer)), answer["start"], answer["end"], answer["step"], predictors


async def asserted_bad_queries(client: httpx.AsyncClient, path: str) -> list[str]:
    """Each bad query answers 422 naming its parameter; what did not."""
    cases = {
        "end": {"start": "2026-01-01T10:00:00Z", "end": "2026-01-01T09:00:00Z"},
        "step": {"start": "2026-01-01T10:00:00Z", "end": "2026-01-01T11:00:00Z", "step": "1"},
        "points": {"start": "2026-01-01T00:00:00Z", "end": "2026-01-02T00:00:00Z", "step": "10"},
        "start": {"start": "yesterday"},
    }
    problems = []
    for word, params in cases.items():
        answer = await client.get(path, params=params)
        body = answer.json()
        if answer.status_code != 422 or set(body) < {"code", "message"} or word not in str(body):
            problems.append(f"{params}: {answer.status_code} {body}")
    return problems
