"""Feature distributions and statistics on both log stores: the seed's income cohort example (Age 25-50 and two
education levels) against what the raw logged documents say, time slices, load-test traffic, and bad input."""

from __future__ import annotations

import math
import random
import uuid
from collections import Counter
from typing import Any

import pytest

from warden_common.logstore import DeploymentRef, InstanceWrite

pytestmark = pytest.mark.integration

NAMES = ["Age", "Workclass", "Education", "Marital Status", "Occupation", "Relationship", "Race", "Sex",
         "Capital Gain", "Capital Loss", "Hours per week", "Country"]  # fmt: skip
CLASSES = ["<=$50K", ">$50K"]
COHORT = ["High School grad", "Dropout"]
BASE = "/api/v1alpha1/namespaces/seldon/seldondeployments/income/monitor"
TIMES = ["2026-01-05T10:00:00Z", "2026-01-05T10:01:00Z", "2026-01-05T10:02:00Z", "2026-01-05T10:03:00Z"]
WHOLE_WINDOW = {"is_timestamp": True, "gte": "2026-01-05T10:00:00Z", "lt": "2026-01-05T10:04:00Z"}


def _rows(count: int, seed: int) -> tuple[list[list[int]], list[list[float]]]:
    """Income rows whose predicted probability of >$50K grows with age and education (so cohorts differ)."""
    rng = random.Random(seed)
    rows, probas = [], []
    for _ in range(count):
        age, education = rng.randint(17, 80), rng.randint(0, 6)
        row = [age, rng.randint(0, 8), education, rng.randint(0, 3), rng.randint(0, 8), rng.randint(0, 5),
               rng.randint(0, 4), rng.randint(0, 1), rng.choice([0, 0, 2174]), 0, rng.randint(20, 60), 9]  # fmt: skip
        high = round(min(0.95, 0.05 + age / 200 + (0.2 if education in (1, 2, 5, 6) else 0.0)), 4)
        rows.append(row)
        probas.append([round(1 - high, 4), high])
    return rows, probas


def _headers(kind: str, rid: str, when: str) -> dict[str, str]:
    return {
        "Ce-Id": str(uuid.uuid4()), "Ce-Specversion": "1.0", "Ce-Time": when,
        "Ce-Type": f"io.seldon.serving.inference.{kind}", "Ce-Source": "http://executor:8000/",
        "Ce-Modelid": "classifier", "Ce-Requestid": rid, "Ce-Inferenceservicename": "income",
        "Ce-Namespace": "seldon", "Ce-Endpoint": "default", "Content-Type": "application/json",
    }  # fmt: skip


@pytest.fixture
async def income(start_logger: Any, metadata_service: Any, test_data: Any) -> Any:
    """A logger holding 4 batches of 30 income predictions a minute apart (the schema registered), plus one
    instance marked as load-test traffic."""
    uri = "gs://seldon-models/sklearn/income/model"
    await metadata_service.deploy(namespace="seldon", name="income", node="classifier", uri=uri,
                                  schema=test_data("income_schema.json"))  # fmt: skip
    logger = await start_logger(upstreams={"metadata": metadata_service.url})
    for batch, when in enumerate(TIMES):
        rows, probas = _rows(30, seed=batch)
        rid = f"batch-{batch}-{uuid.uuid4().hex[:6]}"
        for kind, body in (("request", {"data": {"names": NAMES, "ndarray": rows}}),
                           ("response", {"data": {"names": ["t:0", "t:1"], "ndarray": probas}})):  # fmt: skip
            answer = await logger.post_event(_headers(kind, rid, when), body)
            assert answer.status_code == 200, answer.text
    # What the load tester's traffic looks like once marked: excluded unless asked for.
    marked = {"requestId": "loadtest-1", "timestamp": "2026-01-05T10:00:30Z", "endpoint": "default",
              "loadTest": "a-load-test",  # the mark the data plane gives load-test traffic
              "request": {"elements": {"Age": 99, "Education": "Doctorate"}},
              "response": {"elements": {"Income": {"<=$50K": 0.0, ">$50K": 1.0}}}}  # fmt: skip
    assert (
        await logger.store.write([InstanceWrite(DeploymentRef("seldon", "income"), "loadtest-1-item-0", marked)]) == []
    )
    await logger.store.refresh()
    return logger


async def _logged(logger: Any) -> list[dict[str, Any]]:
    """Every logged instance of the deployment as the search API returns it (raw documents, page by page)."""
    hits, token = [], None
    while True:
        params: dict[str, Any] = {"pageSize": 500, "sort": "asc"}
        if token:
            params["pageToken"] = token
        page = await logger.search("/api/v1alpha1/namespaces/seldon/seldondeployments/income/requests", **params)
        hits.extend(page["requests"])
        token = page["nextPageToken"]
        if not token:
            return hits


async def _post(logger: Any, path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = await logger.client.post(f"{BASE}/{path}", json=body)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def _expected_income(hits: list[dict[str, Any]], interval: float) -> tuple[int, dict[str, dict[str, Any]]]:
    """Per class of Income: the sum of its probabilities and their histogram, from the documents themselves."""
    per_class: dict[str, dict[str, Any]] = {c: {"sum": 0.0, "hist": Counter(), "values": []} for c in CLASSES}
    for hit in hits:
        for name, value in hit["response"]["elements"]["Income"].items():
            per_class[name]["sum"] += value
            per_class[name]["values"].append(value)
            per_class[name]["hist"][math.floor(value / interval) * interval] += 1
    return len(hits), per_class


def _in_cohort(hit: dict[str, Any]) -> bool:
    elements = hit["request"]["elements"]
    return 25 <= elements["Age"] <= 50 and elements["Education"] in COHORT


def _key(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(round(value, 12))


async def test_the_income_cohort_differs_from_the_whole_as_the_raw_documents_say(income: Any) -> None:
    hits = [h for h in await _logged(income) if h["requestId"] != "loadtest-1"]
    assert len(hits) == 120
    cohort_hits = [h for h in hits if _in_cohort(h)]
    assert 0 < len(cohort_hits) < len(hits)
    cohort_filters = [
        WHOLE_WINDOW,
        {"feature": "Age", "interaction": "request", "gte": "25", "lte": "50"},
        {"feature": "Education", "interaction": "request", "terms": COHORT},
    ]
    answers = {}
    for label, filters, expected_hits in (("whole", [WHOLE_WINDOW], hits), ("cohort", cohort_filters, cohort_hits)):
        body = {"feature": "Income", "aggregate_over_time": True, "parameters": {"histogram_interval": 0.1},
                "filters": filters}  # fmt: skip
        got = await _post(income, "featuredistributions", body)
        total, per_class = _expected_income(expected_hits, 0.1)
        assert (got["feature"], got["type"], got["interaction"], got["total_instances"]) == (
            "Income", "PROBA", "response", total)  # fmt: skip
        assert [b["key"] for b in got["distribution"]["buckets"]] == CLASSES
        for bucket in got["distribution"]["buckets"]:
            wanted = per_class[bucket["key"]]
            assert bucket["count"] == pytest.approx(wanted["sum"]), label
            hist = {b["key"]: b["count"] for b in bucket["distribution"]["buckets"]}
            assert hist == {_key(k): float(n) for k, n in sorted(wanted["hist"].items())}, label
        stats = await _post(income, "featurestatistics", {**body, "parameters": {}})
        assert stats["total_instances"] == total
        by_class = {b["key"]: b["stats"] for b in stats["stats"]["buckets"]}
        for name in CLASSES:
            values = per_class[name]["values"]
            assert by_class[name]["count"] == len(values)
            assert by_class[name]["min"] == pytest.approx(min(values))
            assert by_class[name]["max"] == pytest.approx(max(values))
            assert by_class[name]["avg"] == pytest.approx(sum(values) / len(values))
        answers[label] = got
    share = {label: a["distribution"]["buckets"][1]["count"] / a["total_instances"] for label, a in answers.items()}
    assert share["cohort"] != pytest.approx(share["whole"], abs=0.01)  # the cohort's predictions differ


async def test_real_and_categorical_features_time_slices_and_load_test_traffic(income: Any) -> None:
    hits = await _logged(income)
    served = [h for h in hits if h["requestId"] != "loadtest-1"]
    ages = [h["request"]["elements"]["Age"] for h in served]
    body = {"feature": "Age", "aggregate_over_time": True, "parameters": {"histogram_interval": 11}}
    got = await _post(income, "featuredistributions", body)
    assert got["type"] == "REAL" and got["total_instances"] == 120
    expected = Counter(math.floor(a / 11) * 11 for a in ages)
    assert {b["key"]: b["count"] for b in got["distribution"]["buckets"]} == {_key(k): float(n)
                                                                             for k, n in expected.items()}  # fmt: skip
    stats = (await _post(income, "featurestatistics", body))["stats"]
    assert (stats["count"], stats["min"], stats["max"]) == (120, min(ages), max(ages))
    assert stats["avg"] == pytest.approx(sum(ages) / len(ages))

    # Load-test traffic counts only when asked for.
    with_loadtest = await _post(income, "featurestatistics", {**body, "include_loadtest": True})
    assert with_loadtest["total_instances"] == 121 and with_loadtest["stats"]["max"] == 99

    # Categories by their category_map names, most frequent first; minimum_bucket_count drops the rare ones.
    education = Counter(h["request"]["elements"]["Education"] for h in served)
    got = await _post(income, "featuredistributions", {"feature": "Education", "aggregate_over_time": True})
    assert {b["key"]: b["count"] for b in got["distribution"]["buckets"]} == {k: float(n) for k, n in education.items()}
    stats = (await _post(income, "featurestatistics", {"feature": "Education", "aggregate_over_time": True}))["stats"]
    top = min(education.items(), key=lambda item: (-item[1], item[0]))
    assert (stats["most_frequent_category"], stats["most_frequent_category_count"]) == (top[0], float(top[1]))
    rare = min(education.values()) + 1
    kept = await _post(income, "featuredistributions", {"feature": "Education", "aggregate_over_time": True,
                                                        "parameters": {"minimum_bucket_count": rare}})  # fmt: skip
    assert {b["key"] for b in kept["distribution"]["buckets"]} == {k for k, n in education.items() if n >= rare}

    # Four one-minute slices of the four batches (the default is per time slice).
    sliced = await _post(income, "featuredistributions", {"feature": "Age", "filters": [WHOLE_WINDOW],
                                                          "parameters": {"histogram_interval": 11,
                                                                         "number_of_time_buckets": 4}})  # fmt: skip
    assert [b["key"] for b in sliced["distribution"]["buckets"]] == TIMES
    assert [b["count"] for b in sliced["distribution"]["buckets"]] == [30.0] * 4
    first = Counter(math.floor(h["request"]["elements"]["Age"] / 11) * 11 for h in served
                    if h["requestId"].startswith("batch-0-"))  # fmt: skip
    assert {b["key"]: b["count"] for b in sliced["distribution"]["buckets"][0]["distribution"]["buckets"]} == {
        _key(k): float(n) for k, n in first.items()}  # fmt: skip


BAD_INPUT = [
    ({"feature": "Salary"}, 400, "feature"),
    ({"feature": "Age", "filters": [{"feature": "Height", "gte": "1"}]}, 400, "filters[0].feature"),
    ({"feature": "Age", "filters": [{"feature": "Hours per week", "gte": "lots"}]}, 400, "filters[0].gte"),
    ({"feature": "Age", "filters": [{"feature": "Hours per week", "gte": "50", "lte": "25"}]}, 400, "filters[0]"),
    ({"feature": "Age", "filters": [{"feature": "Education", "terms": ["PhD"]}]}, 400, "filters[0].terms"),
    ({"feature": "Age", "filters": [{"is_timestamp": True, "gte": "yesterday"}]}, 400, "filters[0].gte"),
    ({"feature": "Age", "parameters": {"histogram_interval": 0}}, 422, "parameters.histogram_interval"),
    ({"feature": "Age", "parameters": {"histogram_interval": -2}}, 422, "parameters.histogram_interval"),
    (
        {"feature": "Age", "parameters": {"histogram_interval": 1e-9}, "aggregate_over_time": True},
        400,
        "parameters.histogram_interval",
    ),
    ({"feature": "Age", "parameters": {"number_of_time_buckets": 0}}, 422, "parameters.number_of_time_buckets"),
    ({"feature": "Income", "filters": [{"feature": "Income", "gte": "0.5"}]}, 400, "filters[0].category_name"),
]


async def test_bad_input_is_a_4xx_naming_the_field(income: Any) -> None:
    for body, status, field in BAD_INPUT:
        for path in ("featuredistributions", "featurestatistics"):
            answer = await income.client.post(f"{BASE}/{path}", json=body)
            assert answer.status_code == status, (body, answer.text)
            assert field in answer.json()["message"], (body, answer.text)
