"""The detectors' must-shows through one running `warden up` (auth on, the real request logger, MLServer), public
API only:

- 10,000 feedback records of the seed's 90% batch (§5.1.8) give accuracy 0.90 and the exact per-class counts, on
  the metrics server's results API and on Prometheus' `/metrics`;
- a KS drift detector raises drift on a stream drawn from the reference no more often than chance allows (20
  windows at p = 0.05), and catches a shifted stream within its first two windows;
- the digits outlier detector `warden demo` saves (the seed's §5.1.6 walkthrough) flags perturbed digits and
  mostly not clean ones; the scores are on the logged requests and `outliersOnly` finds the flagged ones.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import numpy as np
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sklearn.datasets import load_digits

from .conftest import SharedWarden
from .iris_demo import API, AVAILABLE_WITHIN_S, LOADED_WITHIN_S, iris, wait_until

pytestmark = pytest.mark.integration

WITHIN_S = 120
SELDON = f"{API}/namespaces/seldon/seldondeployments"


def deployment(name: str, model_uri: str) -> dict[str, Any]:
    body = iris(model_uri)
    return {**body, "metadata": {**body["metadata"], "name": name}}


@pytest.fixture(scope="module")
def client(shared_warden: SharedWarden) -> Iterator[httpx.Client]:
    """A client of the shared `warden up` with `digits` (the demo's digits classifier) created and Available: every
    test here watches it (one MLServer for the module; feedback and drift do not care which classifier it is)."""
    with httpx.Client(base_url=shared_warden.base, timeout=30, headers=shared_warden.headers) as client:
        created = client.post(SELDON, json=deployment("digits", shared_warden.models["digits-sklearn"]))
        assert created.status_code == 201, created.text
        wait_until("digits Available",
                   lambda: client.get(f"{SELDON}/digits").json()["status"].get("state") == "Available",
                   AVAILABLE_WITHIN_S)  # fmt: skip
        yield client


def create_detector(client: httpx.Client, path: str, body: dict[str, Any]) -> None:
    answer = client.post(path, json=body)
    assert answer.status_code == 200, answer.text
    url = f"{path}/{body['name']}"
    wait_until(f"{url} loaded", lambda: client.get(url).json()["status"]["state"] == "Loaded", LOADED_WITHIN_S)


def predict(client: httpx.Client, name: str, rows: Any) -> str:
    """Send `rows` to deployment `name` (one Seldon request); its PUID."""
    answer = client.post(f"/seldon/seldon/{name}/api/v1.0/predictions", json={"data": {"ndarray": rows.tolist()}})
    assert answer.status_code == 200, answer.text
    return str(answer.headers["Seldon-Puid"])


def counter_samples(client: httpx.Client, metric: str, detector: str) -> dict[str, float]:
    """The samples of `metric` in the process's Prometheus `/metrics` for `detector`, by `class` label."""
    text = client.get("/metrics").text
    return {
        sample.labels.get("class", ""): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == metric and sample.labels.get("detector") == detector
    }


def test_ten_thousand_feedback_records_of_the_90_percent_batch_give_accuracy_090(
    client: httpx.Client, shared_warden: SharedWarden
) -> None:
    path = f"{SELDON}/digits/monitor/metrics-server"
    server = {"name": "multiclasserver", "config": {"basic": {"model_type": "multiclass_numeric", "classes": 3}}}
    create_detector(client, path, server)
    # The seed's 10,000-instance feedback file (a prediction and its truth each, 9 in 10 right, wrong ones one class
    # off), sent as a batch processor sends it: 1,000 feedback requests of 10 instances.
    rng = np.random.default_rng(90)
    truth = rng.integers(0, 3, 10_000)
    predicted = np.where(np.arange(10_000) % 10 == 9, (truth + 1) % 3, truth)
    records = [{"response": {"data": {"ndarray": predicted[i : i + 10, None].tolist()}},
                "truth": {"data": {"ndarray": truth[i : i + 10, None].tolist()}}}
               for i in range(0, 10_000, 10)]  # fmt: skip
    asyncio.run(send_all(shared_warden, "/seldon/seldon/digits/api/v1.0/feedback", records))

    def summary() -> dict[str, Any] | None:
        answer = client.get(f"{path}/multiclasserver/metrics")
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body if body["rows"] >= 10_000 else None

    counted = wait_until("10,000 feedback rows counted", summary, WITHIN_S)
    assert (counted["rows"], counted["correct"]) == (10_000, 9_000)
    assert counted["overall"]["accuracy"] == pytest.approx(0.90, abs=0.01)
    expected = {}
    for c in range(3):
        tp = int(np.sum((truth == c) & (predicted == c)))
        fp, fn = int(np.sum(predicted == c)) - tp, int(np.sum(truth == c)) - tp
        expected[f"CLASS_{c}"] = (tp, fp, 10_000 - tp - fp - fn, fn)
    by_class = {c["class"]: (c["truePositive"], c["falsePositive"], c["trueNegative"], c["falseNegative"])
                for c in counted["classes"]}  # fmt: skip
    assert by_class == expected
    for name, column in (("true_positive", 0), ("false_positive", 1), ("true_negative", 2), ("false_negative", 3)):
        samples = counter_samples(client, f"seldon_metric_{name}_total", "multiclasserver")
        assert samples == {label: float(counts[column]) for label, counts in expected.items()}, name
    rows = counter_samples(client, "seldon_metric_feedback_rows_total", "multiclasserver")
    correct = counter_samples(client, "seldon_metric_feedback_correct_total", "multiclasserver")
    assert (rows, correct) == ({"": 10_000.0}, {"": 9_000.0})


async def send_all(shared: SharedWarden, path: str, bodies: list[dict[str, Any]], concurrency: int = 16) -> None:
    """POST every body to `path`, `concurrency` at a time; each must be answered 200."""
    limit = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=shared.base, timeout=60, headers=shared.headers) as client:

        async def send(body: dict[str, Any]) -> None:
            async with limit:
                answer = await client.post(path, json=body)
            assert answer.status_code == 200, answer.text

        await asyncio.gather(*(send(body) for body in bodies))


def test_drift_is_no_more_often_than_chance_on_the_reference_and_caught_within_two_windows_when_shifted(
    client: httpx.Client, shared_warden: SharedWarden
) -> None:
    path = f"{SELDON}/digits/monitor/drift-detector"
    reference_uri = shared_warden.models["digits-reference"]
    create_detector(client, path, {"name": "digits-ks", "config": {"basic": {
        "reference_uri": reference_uri, "drift_batch_size": 50, "p_val": 0.05}}})  # fmt: skip
    reference = np.load(reference_uri.removeprefix("file://"))
    rng = np.random.default_rng(20)
    # 20 windows drawn from the reference distribution, one request of 50 rows each (a request fills one window).
    for _ in range(20):
        predict(client, "digits", reference[rng.integers(0, len(reference), 50)])

    def windows(count: int) -> list[dict[str, Any]] | None:
        answer = client.get(f"{path}/digits-ks/timeline", params={"pageSize": 100})
        assert answer.status_code == 200, answer.text
        found: list[dict[str, Any]] = answer.json()["windows"]
        return found if len(found) >= count else None

    unshifted = wait_until("20 drift windows", lambda: windows(20), WITHIN_S)
    assert [w["rows"] for w in unshifted] == [50] * 20
    # Binomial(20, 0.05): P(4 or more windows) = 1.6%; the data are seeded, so this never flickers.
    assert sum(w["isDrift"] for w in unshifted) <= 3, [w["isDrift"] for w in unshifted]

    brighter = np.clip(reference[rng.integers(0, len(reference), 100)] + 4, 0, 16)  # every pixel 4 levels up
    for rows in (brighter[:50], brighter[50:]):
        predict(client, "digits", rows)
    after = wait_until("two more windows", lambda: windows(22), WITHIN_S)[20:]
    assert any(w["isDrift"] for w in after), after


def test_the_demo_digits_outlier_detector_flags_perturbed_digits_and_mostly_not_clean_ones(
    client: httpx.Client, shared_warden: SharedWarden
) -> None:
    deployment_path = f"{SELDON}/digits"
    create_detector(client, f"{deployment_path}/monitor/outlier-detector", {"name": "digits-outlier", "config": {
        "basic": {"storage_uri": shared_warden.models["digits-outlier-detector"]}}})  # fmt: skip
    images = load_digits().data[1000:1040]  # the reference is the first 500
    rng = np.random.default_rng(6)
    noise = rng.random(images.shape) < 0.5
    perturbed = np.where(noise, rng.integers(0, 17, images.shape), images)  # half the pixels replaced by noise
    puids = {}
    for kind, rows in (("clean", images), ("perturbed", perturbed)):
        puids[predict(client, "digits", rows)] = kind

    def scored() -> list[dict[str, Any]] | None:
        page = client.get(f"{deployment_path}/requests", params={"pageSize": 200})
        assert page.status_code == 200, page.text
        hits = [h for h in page.json()["requests"] if h["requestId"] in puids and "outlier" in h]
        return hits if len(hits) == 80 else None

    hits = wait_until("80 logged digits with their outlier scores", scored, WITHIN_S)
    flagged = {"clean": 0, "perturbed": 0}
    for hit in hits:
        flagged[puids[hit["requestId"]]] += hit["outlier"]["isOutlier"]
    assert flagged["perturbed"] >= 36 and flagged["clean"] <= 10, flagged
    only = client.get(f"{deployment_path}/requests", params={"outliersOnly": "true", "pageSize": 200})
    assert only.status_code == 200, only.text
    assert len([h for h in only.json()["requests"] if h["requestId"] in puids]) == sum(flagged.values())
