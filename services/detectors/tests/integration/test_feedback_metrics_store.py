"""Feedback counts in a real PostgreSQL (migration 0003): the 90% hit-rate batch, time ranges, and the route."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import numpy as np
import pytest

from warden_common.events.deployments import DeploymentKind
from warden_detectors.feedback import FeedbackMetricsServer, FeedbackMetricsStore, MetricsSpec
from warden_detectors.feedback.routes import router

from .conftest import results_route_client

pytestmark = pytest.mark.integration

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
KEY: tuple[str, DeploymentKind, str, str] = ("seldon", "SeldonDeployment", "iris", "multiclasserver")
API = "/api/v1alpha1/namespaces/seldon/seldondeployments/iris/monitor/metrics-server/multiclasserver/metrics"


@dataclass
class Harness:
    store: FeedbackMetricsStore
    client: httpx.AsyncClient


@pytest.fixture
async def harness(fresh_database: str) -> AsyncIterator[Harness]:
    async with results_route_client(
        fresh_database, router, "metrics", "iris", "multiclasserver", feedback_metrics=FeedbackMetricsStore
    ) as (pool, client):
        yield Harness(FeedbackMetricsStore(pool), client)


def numeric(classes: int | None = None) -> FeedbackMetricsServer:
    return FeedbackMetricsServer(MetricsSpec(model_type="multiclass_numeric", classes=classes), "multiclasserver")


@pytest.mark.parametrize("hit_rate", [0.9, 0.4])
async def test_ten_thousand_feedbacks_give_their_hit_rate_as_accuracy(harness: Harness, hit_rate: float) -> None:
    """§5.1.8.6: 10,000 feedback records (one instance each), 90% (or 40%) right, spread over 10 minutes."""
    rng = np.random.default_rng(20260301)
    truth = rng.integers(0, 3, size=10_000)
    hit = rng.random(10_000) < hit_rate
    wrong = (truth + rng.integers(1, 3, size=10_000)) % 3  # always another class
    predicted = np.where(hit, truth, wrong)
    metrics = numeric()
    feedback = [
        (T0 + timedelta(milliseconds=60 * i), metrics.counts([[int(truth[i])]], [[int(predicted[i])]]))
        for i in range(10_000)
    ]
    # Written as a consumer would: batches of 500, several at once (the upserts add up, none is lost).
    batches = [feedback[i : i + 500] for i in range(0, 10_000, 500)]
    await asyncio.gather(*(harness.store.add_many(*KEY, batch) for batch in batches))
    summary = await harness.store.summary(*KEY)
    assert summary.rows == 10_000
    assert summary.correct == int(hit.sum())
    assert summary.overall.ratios.accuracy == pytest.approx(hit_rate, abs=0.01)
    for number, counted in enumerate(summary.classes):
        assert counted.label == f"CLASS_{number}"
        assert counted.tp == int(((truth == number) & (predicted == number)).sum())
        assert counted.fp == int(((truth != number) & (predicted == number)).sum())
        assert counted.fn == int(((truth == number) & (predicted != number)).sum())
        assert counted.tn == int(((truth != number) & (predicted != number)).sum())
    # The rows are minute buckets, not one row per feedback.
    buckets = await harness.store.pool.fetchval("SELECT count(*) FROM warden_detectors.feedback_rows")
    assert buckets == 10


async def test_time_ranges_select_buckets(harness: Harness) -> None:
    metrics = numeric(classes=3)
    right, wrong = metrics.counts([1], [1]), metrics.counts([0], [1])
    await harness.store.add(*KEY, T0 + timedelta(seconds=5), right)  # minute 0: right
    await harness.store.add(*KEY, T0 + timedelta(minutes=1, seconds=59), wrong)  # minute 1: wrong
    await harness.store.add(*KEY, T0 + timedelta(minutes=2), right)  # minute 2: right, twice
    await harness.store.add(*KEY, (T0 + timedelta(minutes=2, seconds=30)).replace(tzinfo=None), right)  # naive: UTC
    # Another deployment kind, namespace or detector is never mixed in.
    await harness.store.add("seldon", "InferenceService", "iris", "multiclasserver", T0, wrong)
    await harness.store.add("other", "SeldonDeployment", "iris", "multiclasserver", T0, wrong)
    await harness.store.add("seldon", "SeldonDeployment", "iris", "another", T0, wrong)

    everything = await harness.store.summary(*KEY)
    assert (everything.rows, everything.correct) == (4, 3)
    assert everything.overall.ratios.accuracy == 0.75
    first_two = await harness.store.summary(*KEY, T0, T0 + timedelta(minutes=2))
    assert (first_two.rows, first_two.correct) == (2, 1)
    class_one = first_two.classes[1]
    assert (class_one.label, class_one.tp, class_one.fp, class_one.tn, class_one.fn) == ("CLASS_1", 1, 1, 0, 0)
    assert first_two.classes[0].fn == 1 and first_two.classes[0].tn == 1
    last = await harness.store.summary(*KEY, T0 + timedelta(minutes=1, seconds=30), None)
    assert (last.rows, last.correct) == (2, 2)  # minute 1's bucket starts before the range
    empty = await harness.store.summary(*KEY, T0 + timedelta(hours=1), T0 + timedelta(hours=2))
    assert empty.rows == 0 and empty.classes == [] and empty.overall.ratios.accuracy is None

    await harness.store.delete(*KEY)
    assert (await harness.store.summary(*KEY)).rows == 0
    assert (await harness.store.summary("seldon", "SeldonDeployment", "iris", "another")).rows == 1


async def test_route_answers_counts_and_ratios_per_class_and_overall(harness: Harness) -> None:
    metrics = numeric()
    await harness.store.add(*KEY, T0, metrics.counts([1], [1]))  # the seed's two feedbacks
    await harness.store.add(*KEY, T0 + timedelta(minutes=1), metrics.counts([0], [1]))
    answer = await harness.client.get(API)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    assert body["rows"] == 2 and body["correct"] == 1 and body["resolutionSeconds"] == 60
    assert body["start"] is None and body["end"] is None
    assert body["overall"] == {
        "truePositive": 1, "falsePositive": 1, "trueNegative": 1, "falseNegative": 1, "average": "micro",
        "accuracy": 0.5, "precision": 0.5, "recall": 0.5, "specificity": 0.5, "f1": 0.5,
    }  # fmt: skip
    assert body["classes"] == [
        {"class": "CLASS_0", "truePositive": 0, "falsePositive": 0, "trueNegative": 1, "falseNegative": 1,
         "accuracy": 0.5, "precision": None, "recall": 0.0, "specificity": 1.0, "f1": 0.0},
        {"class": "CLASS_1", "truePositive": 1, "falsePositive": 1, "trueNegative": 0, "falseNegative": 0,
         "accuracy": 0.5, "precision": 0.5, "recall": 1.0, "specificity": 0.0, "f1": 2 / 3},
    ]  # fmt: skip
    assert body["macro"] == {"accuracy": 0.5, "precision": 0.5, "recall": 0.5, "specificity": 0.5, "f1": 1 / 3}

    ranged = await harness.client.get(API, params={"start": "2026-03-01T09:01:00Z", "end": "2026-03-01T11:00:00+01:00"})
    assert ranged.status_code == 200, ranged.text
    assert ranged.json()["rows"] == 1 and ranged.json()["overall"]["accuracy"] == 0.0
    naive = await harness.client.get(API, params={"start": "2026-03-01T09:00:00"})
    assert naive.json()["rows"] == 2 and naive.json()["start"] == "2026-03-01T09:00:00Z"
    other_kind = await harness.client.get(API.replace("seldondeployments", "inferenceservices"))
    assert other_kind.status_code == 200 and other_kind.json()["rows"] == 0
    unknown = await harness.client.get(API.replace("multiclasserver", "no-such-server"))
    assert unknown.status_code == 404 and "no metrics detector no-such-server" in unknown.json()["message"]


@pytest.mark.parametrize(
    ("path", "params", "status", "where"),
    [
        (API, {"start": "yesterday"}, 422, "start"),
        (API, {"start": "2026-03-01T10:00:00Z", "end": "2026-03-01T09:00:00Z"}, 400, "end"),
        (API.replace("multiclasserver", "Bad_Name"), {}, 422, "detectorName"),
        (API.replace("/iris/", "/Iris/"), {}, 422, "name"),
        (API.replace("seldondeployments/iris", "inferenceservices/9iris"), {}, 422, "name"),
    ],
)  # fmt: skip
async def test_bad_requests_say_what_and_where(
    harness: Harness, path: str, params: dict[str, str], status: int, where: str
) -> None:
    answer = await harness.client.get(path, params=params)
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) >= {"code", "reason", "message"}
    assert where in answer.text
