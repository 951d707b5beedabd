"""The logged response of a feedback's request id, read through the `LogStore` port of a real OpenSearch and a real
PostgreSQL log store: documents written as the request logger writes them (one per instance, parts merged)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from cloudevents.core.v1.event import CloudEvent

from warden_common.logstore import DeploymentRef, InstanceWrite, LogStore
from warden_common.logstore.document import instance_doc_id
from warden_detectors.feedback import (
    FeedbackMetricsServer,
    LogStoreLookup,
    MetricsSpec,
    ResponseNotLogged,
    logged_response,
)

pytestmark = pytest.mark.integration

IRIS = DeploymentRef("seldon", "iris")
TIME = "2026-03-01T09:00:00+00:00"


@pytest.fixture(params=["opensearch", "postgres"])
async def store(request: pytest.FixtureRequest, unique_name: str) -> AsyncIterator[LogStore]:
    made: LogStore
    if request.param == "opensearch":
        from warden_common.logstore.opensearch import OpenSearchLogStore

        url: str = request.getfixturevalue("opensearch_url")
        made = OpenSearchLogStore(url, prefix=f"{unique_name}-", max_retry_s=5.0)
    else:
        from warden_common.logstore.postgres import PostgresLogStore

        made = PostgresLogStore(request.getfixturevalue("fresh_database"), pool_size=2, max_retry_s=5.0)
    await made.start()
    try:
        yield made
    finally:
        await made.close()
        if request.param == "opensearch":
            async with httpx.AsyncClient(base_url=url, timeout=30) as client:
                await client.delete(f"/{unique_name}-*", params={"expand_wildcards": "all"})
                for kind in ("inference-log", "inference-payload"):
                    await client.delete(f"/_index_template/{unique_name}-{kind}")


def _part(row: list[Any], batch_size: int, names: list[str]) -> dict[str, Any]:
    return {
        "time": TIME, "ceId": "ce-1", "dataType": "tabular", "names": names, "batchSize": batch_size,
        "instance": {"value": row}, "elements": dict(zip(names, row, strict=True)), "payloadStored": "separate",
    }  # fmt: skip


def _instance(ref: DeploymentRef, request_id: str, item: int, part: str, body: dict[str, Any],
              endpoint: str = "default") -> InstanceWrite:  # fmt: skip
    fields = {"requestId": request_id, "itemIndex": item, "endpoint": endpoint, "engine": "seldon", part: body}
    if part in ("request", "response"):
        fields["timestamp"] = TIME
    return InstanceWrite(ref, instance_doc_id(request_id, item), fields)


FEATURES = ["Sepal length", "Sepal width", "Petal length", "Petal width"]
CLASSES = ["t:0", "t:1", "t:2"]
REQUEST_ROWS = [[6.8, 2.8, 4.8, 1.4], [5.1, 3.5, 1.4, 0.2]]
RESPONSE_ROWS = [[0.008, 0.778, 0.214], [0.9, 0.07, 0.03]]


async def _log_request(store: LogStore, ref: DeploymentRef, request_id: str, *, responses: list[int],
                       batch: int = 2, endpoint: str = "default") -> None:  # fmt: skip
    writes = [_instance(ref, request_id, i, "request", _part(REQUEST_ROWS[i % 2], batch, FEATURES), endpoint)
              for i in range(batch)]  # fmt: skip
    # The response part written after, in reverse order: parts merge into each instance's document.
    writes += [_instance(ref, request_id, i, "response", _part(RESPONSE_ROWS[i % 2], batch, CLASSES), endpoint)
               for i in reversed(responses)]  # fmt: skip
    assert await store.write(writes) == []
    await store.refresh()


async def test_the_logged_response_rows_in_instance_order_feed_the_metrics_server(store: LogStore) -> None:
    await _log_request(store, IRIS, "puid-1", responses=[0, 1])
    await _log_request(store, DeploymentRef("other", "iris"), "puid-1", responses=[0], batch=1)  # never mixed in
    rows = await logged_response(store, namespace="seldon", deployment="iris", request_id="puid-1")
    assert rows == RESPONSE_ROWS
    metrics = FeedbackMetricsServer(MetricsSpec(model_type="multiclass_onehot"), "iris-metrics")
    counted = metrics.counts([[0, 1, 0], [0, 0, 1]], rows)  # the feedback's truth: class 1, then class 2
    assert (counted.rows, counted.correct) == (2, 1)
    assert counted.classes["CLASS_0"].fp == 1 and counted.classes["CLASS_2"].fn == 1
    by_endpoint = await logged_response(store, namespace="seldon", deployment="iris", request_id="puid-1",
                                        endpoint="default")  # fmt: skip
    assert by_endpoint == RESPONSE_ROWS


async def test_a_response_not_logged_yet_is_a_clear_not_found(store: LogStore) -> None:
    with pytest.raises(ResponseNotLogged, match="the request log of seldon/iris holds no instance of it") as caught:
        await logged_response(store, namespace="seldon", deployment="iris", request_id="puid-unknown")
    assert caught.value.request_id == "puid-unknown"

    await _log_request(store, IRIS, "puid-2", responses=[])  # the request is logged, its response not yet
    with pytest.raises(ResponseNotLogged, match="2 instance\\(s\\) logged, none with its response"):
        await logged_response(store, namespace="seldon", deployment="iris", request_id="puid-2")

    await _log_request(store, IRIS, "puid-3", responses=[0, 2], batch=4)  # half of a batch's responses
    with pytest.raises(ResponseNotLogged, match="the response has 4 instances; instance\\(s\\) 1, 3 not logged"):
        await logged_response(store, namespace="seldon", deployment="iris", request_id="puid-3")

    await _log_request(store, IRIS, "puid-4", responses=[0, 1], endpoint="canary")
    with pytest.raises(ResponseNotLogged, match="seldon/iris \\(endpoint default\\) holds no instance"):
        await logged_response(store, namespace="seldon", deployment="iris", request_id="puid-4", endpoint="default")
    with pytest.raises(ResponseNotLogged, match="neither a response nor a request id"):
        await logged_response(store, namespace="seldon", deployment="iris", request_id="")


async def test_a_large_batch_is_read_page_by_page(store: LogStore) -> None:
    """1,100 instances: more than a page of the search, all of them back in order, none twice."""
    rows = [[i / 1100, 1 - i / 1100] for i in range(1100)]
    names = ["p0", "p1"]
    writes = [_instance(IRIS, "puid-big", i, "response", _part(row, len(rows), names)) for i, row in enumerate(rows)]
    assert await store.write(writes) == []
    await store.refresh()
    assert await logged_response(store, namespace="seldon", deployment="iris", request_id="puid-big") == rows


@dataclass(frozen=True)
class _Deployment:
    namespace: str
    name: str


@dataclass(frozen=True)
class _Key:
    deployment: _Deployment
    name: str


@dataclass(frozen=True)
class _Detector:
    key: _Key


def _feedback_event(request_id: str | None, endpoint: str = "default") -> CloudEvent:
    attributes = {"type": "io.seldon.serving.feedback", "source": "http://executor:8000/", "namespace": "seldon",
                  "inferenceservicename": "iris", "endpoint": endpoint}  # fmt: skip
    if request_id is not None:
        attributes["requestid"] = request_id
    return CloudEvent(attributes, data={"truth": {"data": {"ndarray": [[0, 1, 0]]}}})


async def test_the_runtime_adapter_reads_the_events_request_id_and_endpoint(store: LogStore) -> None:
    await _log_request(store, IRIS, "puid-5", responses=[0, 1])
    lookup = LogStoreLookup(store)
    detector = _Detector(_Key(_Deployment("seldon", "iris"), "iris-metrics"))
    assert await lookup(detector, _feedback_event("puid-5")) == RESPONSE_ROWS
    with pytest.raises(ResponseNotLogged, match="endpoint canary") as caught:
        await lookup(detector, _feedback_event("puid-5", endpoint="canary"))
    assert not caught.value.final  # it may still be logged: the runtime looks again
    with pytest.raises(ResponseNotLogged, match="neither a response nor a request id") as caught:
        await lookup(detector, _feedback_event(None))
    assert caught.value.final  # waiting cannot help
    with pytest.raises(ResponseNotLogged, match="seldon/other \\(endpoint default\\) holds no instance"):
        await lookup(_Detector(_Key(_Deployment("seldon", "other"), "m")), _feedback_event("puid-5"))
