"""Bad input never crashes the logger and is never dropped silently: dead letters with reasons, 4xx, or records.

Over the real bus (Kafka): undecodable records, unknown event types, payloads that do not fit their protocol and
documents the store refuses (an OpenSearch mapping conflict; a JSON string PostgreSQL's jsonb cannot hold) go to
the dead-letter topic with the reason, and the events after them are still stored. Over HTTP: a 5 MB payload is
stored, or recorded as rejected with the reason when it exceeds the stored-payload limit.
"""

from __future__ import annotations

import base64
import uuid
from typing import Any

import httpx
import pytest
from cloudevents.core.v1.event import CloudEvent

from warden_common.bus.port import DLQ_REASON, Bus, BusRecord
from warden_common.logstore.naming import INSTANCES, index_name
from warden_common.logstore.port import DeploymentRef
from warden_common.settings import BodyLimits
from warden_common.testing.waiting import eventually
from warden_common.topics import dead_letter_topic

pytestmark = pytest.mark.integration


WAIT_S, POLL_S = 90.0, 0.2


def executor_event(kind: str, rid: str, data: Any, *, name: str = "iris", type_: str | None = None) -> CloudEvent:
    attributes = {
        "type": type_ or f"io.seldon.serving.inference.{kind}", "source": "http://executor/", "id": str(uuid.uuid4()),
        "datacontenttype": "application/json", "requestid": rid, "modelid": "classifier",
        "inferenceservicename": name, "namespace": "bad", "endpoint": "default",
    }  # fmt: skip
    return CloudEvent(attributes, data=data)


async def test_bad_events_and_refused_documents_are_dead_lettered_and_the_consumer_keeps_going(
    start_logger: Any, bus: Bus, logger_settings: Any, store_kind: str
) -> None:
    topic = logger_settings.input_topics[0]
    letters: list[BusRecord] = []

    async def collect(record: BusRecord) -> None:
        letters.append(record)

    await bus.subscribe_records(dead_letter_topic(topic), group=f"dlq-{uuid.uuid4().hex[:8]}", handler=collect)
    if store_kind == "opensearch":
        # An index someone created by hand with a mapping that contradicts ours: `request` is a keyword there.
        url, prefix = logger_settings.opensearch.url, logger_settings.opensearch.index_prefix
        async with httpx.AsyncClient(base_url=url) as client:
            index = index_name(prefix, INSTANCES, DeploymentRef("bad", "conflicted"))
            created = await client.put(f"/{index}", json={"mappings": {"properties": {"request": {"type": "keyword"}}}})
            assert created.status_code == 200, created.text
        refused = executor_event("request", "refused-1", {"data": {"ndarray": [[1.0, 2.0]]}}, name="conflicted")
        refused_reason = b"mapper_parsing_exception"
    else:
        refused = executor_event("request", "refused-1", {"strData": "nul \u0000 inside"}, name="conflicted")
        refused_reason = b"PostgreSQL refused the document"
    logger = await start_logger()

    good_before = executor_event("request", "good-1", {"data": {"ndarray": [[1.0, 2.0]]}})
    unknown_type = executor_event("request", "odd-1", {"x": 1}, type_="com.example.something.happened")
    bad_payload = executor_event("request", "bad-1", {"data": {"names": ["a"]}})  # no ndarray/tensor/tftensor
    good_after = executor_event("request", "good-2", {"data": {"ndarray": [[3.0, 4.0]]}})
    await bus.publish(good_before, topic=topic, key="k")
    await bus.publish_record(BusRecord(topic=topic, partition=0, offset=0, key=b"k", value=b"{not an event"))
    for event in (unknown_type, bad_payload, refused, good_after):
        await bus.publish(event, topic=topic, key="k")

    async def both_good_stored() -> bool:
        found = await logger.search(namespace="bad", name="iris")
        return {h["requestId"] for h in found["requests"]} == {"good-1", "good-2"}

    await eventually(both_good_stored, "the good events before and after the bad ones stored", within_s=WAIT_S,
                     interval_s=POLL_S)  # fmt: skip
    await eventually(_count(letters, 4), "four dead letters", within_s=WAIT_S, interval_s=POLL_S)
    reasons = {dict(r.headers).get("ce_id", b"garbage"): dict(r.headers)[DLQ_REASON] for r in letters}
    assert b"not a CloudEvent" in reasons[b"garbage"] or b"JSON" in reasons[b"garbage"], reasons
    assert b"is not an inference request/response" in reasons[unknown_type.get_id().encode()]
    assert b"payload cannot be parsed" in reasons[bad_payload.get_id().encode()]
    assert refused_reason in reasons[refused.get_id().encode()], reasons[refused.get_id().encode()]


def _count(letters: list[BusRecord], n: int) -> Any:
    async def enough() -> bool:
        return len(letters) >= n

    return enough


FIVE_MB = 5 * 1024 * 1024


@pytest.mark.parametrize("limit", [8 * 1024 * 1024, 1024 * 1024], ids=["stored", "recorded-as-rejected"])
async def test_a_5mb_payload_is_stored_or_recorded_as_rejected_with_the_reason(start_logger: Any, limit: int) -> None:
    logger = await start_logger(max_payload_bytes=limit)
    image = base64.b64encode(b"\x89PNG" + bytes(range(256)) * (FIVE_MB // 256 * 3 // 4)).decode()
    assert len(image) >= FIVE_MB * 0.99
    rid = str(uuid.uuid4())
    headers = {
        "Ce-Id": str(uuid.uuid4()), "Ce-Specversion": "1.0", "Ce-Type": "io.seldon.serving.inference.request",
        "Ce-Source": "http://executor/", "Ce-Requestid": rid, "Ce-Inferenceservicename": "big",
        "Ce-Namespace": "bad", "Ce-Endpoint": "default", "Content-Type": "application/json",
    }  # fmt: skip
    answer = await logger.post_event(headers, {"binData": image})
    assert answer.status_code == 200, answer.text

    [hit] = (await logger.search(namespace="bad", name="big", requestId=rid))["requests"]
    assert hit["request"]["dataType"] == "image"
    assert hit["request"]["payloadSizeBytes"] > FIVE_MB * 0.99
    if limit > FIVE_MB:
        assert hit["request"]["payloadStored"] == "inline"
        assert hit["payloads"]["request"]["payload"] == {"binData": image}
    else:
        assert hit["request"]["payloadStored"] == "rejected"
        assert "exceeds the stored-payload limit of 1048576 bytes" in hit["request"]["payloadRejectedReason"]
        assert "exceeds the stored-payload limit" in hit["payloads"]["request"]["rejectedReason"]
        assert hit["payloads"]["request"]["payload"] is None


async def test_a_body_over_the_http_limit_gets_413_with_the_reason(start_logger: Any) -> None:
    logger = await start_logger(body_limits=BodyLimits(max_bytes=1024 * 1024))
    headers = {"Ce-Id": "x", "Ce-Specversion": "1.0", "Ce-Type": "io.seldon.serving.inference.request",
               "Ce-Source": "http://executor/", "Content-Type": "application/json"}  # fmt: skip
    answer = await logger.post_event(headers, {"strData": "x" * (2 * 1024 * 1024)})
    assert answer.status_code == 413
    assert "exceeds the limit of 1048576 bytes" in answer.json()["message"]


async def test_an_event_nested_beyond_the_depth_limit_gets_422_and_is_not_stored(start_logger: Any) -> None:
    logger = await start_logger()
    rid = str(uuid.uuid4())
    headers = {"Ce-Id": rid, "Ce-Specversion": "1.0", "Ce-Type": "io.seldon.serving.inference.request",
               "Ce-Source": "http://executor/", "Ce-Requestid": rid, "Ce-Inferenceservicename": "deep",
               "Ce-Namespace": "bad", "Content-Type": "application/json"}  # fmt: skip
    nested: Any = [1.0]
    for _ in range(70):
        nested = [nested]
    answer = await logger.post_event(headers, {"data": {"ndarray": nested}})
    assert answer.status_code == 422, answer.text
    assert answer.json()["reason"] == "body_too_deep" and "deeper than 64 levels" in answer.json()["message"]
    assert (await logger.search(namespace="bad", name="deep"))["requests"] == []
