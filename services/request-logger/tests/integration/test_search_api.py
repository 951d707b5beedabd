"""The search API over both stores: endpoint, time range, outliers only, features, paging, sorting, all parts."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

pytestmark = pytest.mark.integration


def headers(kind: str, rid: str, *, time: str, endpoint: str = "default", name: str = "iris") -> dict[str, str]:
    inference = kind in ("request", "response", "outlier", "drift")
    prefix = "io.seldon.serving.inference" if inference else "io.seldon.serving"
    return {
        "Ce-Id": str(uuid.uuid4()), "Ce-Specversion": "1.0", "Ce-Time": time, "Ce-Type": f"{prefix}.{kind}",
        "Ce-Source": "http://executor/", "Ce-Modelid": "classifier", "Ce-Requestid": rid,
        "Ce-Inferenceservicename": name, "Ce-Namespace": "search", "Ce-Endpoint": endpoint,
        "Content-Type": "application/json",
    }  # fmt: skip


async def test_filters_paging_sorting_and_every_part(start_logger: Any) -> None:
    logger = await start_logger()
    rids = [f"r{n:02d}-{uuid.uuid4().hex[:6]}" for n in range(6)]
    for n, rid in enumerate(rids):
        when = f"2024-05-06T07:00:{n:02d}Z"
        endpoint = "canary" if n % 2 else "default"
        body = {"data": {"names": ["a", "b"], "ndarray": [[float(n), 10.0 * n]]}}
        sent = await logger.post_event(headers("request", rid, time=when, endpoint=endpoint), body)
        assert sent.status_code == 200
        response = {"data": {"ndarray": [[n % 3]]}}
        sent = await logger.post_event(headers("response", rid, time=when, endpoint=endpoint), response)
        assert sent.status_code == 200
    # Later parts of request 1: an outlier result, feedback and a drift result (alibi-detect / executor shapes).
    later = "2024-05-06T08:00:00Z"
    outlier = {"data": {"is_outlier": [1], "instance_score": [7.5]}, "meta": {"name": "iforest"}}
    await logger.post_event(headers("outlier", rids[1], time=later, endpoint="canary"), outlier)
    feedback = {"reward": 1.0, "truth": {"data": {"ndarray": [[1]]}}}
    await logger.post_event(headers("feedback", rids[1], time=later, endpoint="canary"), feedback)
    drift = {"data": {"is_drift": 0, "p_val": [0.4, 0.7], "threshold": 0.05}}
    await logger.post_event(headers("drift", rids[1], time=later, endpoint="canary"), drift)

    base = "/api/v1alpha1/namespaces/search/seldondeployments/iris/requests"
    everything = await logger.search(base, sort="asc")
    assert [h["requestId"] for h in everything["requests"]] == rids
    assert everything["total"] == 6

    canary = await logger.search(base, endpoint="canary")
    assert [h["requestId"] for h in canary["requests"]] == [rids[5], rids[3], rids[1]]  # newest first

    window = await logger.search(base, start="2024-05-06T07:00:02Z", end="2024-05-06T07:00:04Z", sort="asc")
    assert [h["requestId"] for h in window["requests"]] == rids[2:4]

    outliers = await logger.search(base, outliersOnly="true")
    [flagged] = outliers["requests"]
    assert flagged["requestId"] == rids[1]
    assert flagged["outlier"]["isOutlier"] is True and flagged["outlier"]["instanceScore"] == 7.5
    assert flagged["feedback"]["reward"] == 1.0 and flagged["feedback"]["truth"]["elements"] == {"0": 1}
    assert flagged["drift"]["isDrift"] is False and flagged["drift"]["pVal"] == [0.4, 0.7]
    assert set(flagged["payloads"]) >= {"request", "response"}

    features = await logger.search(base, feature=["a:gte:2", "b:lt:50"], output="0:ne:2", sort="asc")
    assert [h["requestId"] for h in features["requests"]] == [rids[3], rids[4]]  # a in 2..4, minus class 2 (n=2)

    pages, token = [], None
    while True:
        params: dict[str, Any] = {"pageSize": 4, "sort": "asc"}
        if token:
            params["pageToken"] = token
        page = await logger.search(base, **params)
        pages.append([h["requestId"] for h in page["requests"]])
        token = page["nextPageToken"]
        if not token:
            break
    assert [r for p in pages for r in p] == rids and len(pages[0]) == 4

    anywhere = await logger.search(requestId=rids[4])
    assert [h["deployment"] for h in anywhere["requests"]] == ["iris"]


async def test_bad_queries_get_a_clear_400(start_logger: Any) -> None:
    logger = await start_logger()
    for params, needle in (
        ({"feature": "Age>30"}, "expected <name>:<op>:<value>"),
        ({"feature": "Age:gt:old"}, "needs a number"),
        ({"pageToken": "not-a-token"}, "pageToken"),
        ({"name": "iris"}, "name needs namespace"),
        ({"start": "2024-05-07T00:00:00Z", "end": "2024-05-06T00:00:00Z"}, "end must be after start"),
    ):
        answer = await logger.client.get("/api/v1alpha1/requests", params=params)
        assert answer.status_code == 400, (params, answer.text)
        assert needle in answer.json()["message"]
