"""RecordDelivery: retry, dead-lettering and decode failures, with an in-memory publish (no I/O)."""

from __future__ import annotations

import asyncio

import pytest
from cloudevents.core.v1.event import CloudEvent

from warden_common.bus.delivery import (
    Outcome,
    RecordDelivery,
    dead_letter_record,
    event_handler_as_record_handler,
)
from warden_common.bus.port import DLQ_ATTEMPTS, DLQ_ERROR_TYPE, DLQ_GROUP, DLQ_REASON, DLQ_SOURCE_OFFSET, BusRecord
from warden_common.codec import Event, to_kafka_record
from warden_common.settings import RetryPolicy

FAST = RetryPolicy(max_attempts=3, initial_backoff_s=0.001, max_backoff_s=0.001, multiplier=1.0)


def event_record(offset: int = 7) -> tuple[CloudEvent, BusRecord]:
    attributes = {"type": "io.warden.test.v1", "source": "/unit", "datacontenttype": "application/json"}
    event = CloudEvent(attributes, data={"n": 1})
    key, headers, value = to_kafka_record(event, "k")
    return event, BusRecord(topic="t", partition=2, offset=offset, key=key, value=value, headers=headers)


class Published:
    def __init__(self, failures: int = 0) -> None:
        self.records: list[BusRecord] = []
        self.failures = failures

    async def __call__(self, record: BusRecord) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("broker away")
        self.records.append(record)


def delivery_for(handler: object, published: Published) -> RecordDelivery:
    return RecordDelivery(topic="t", group="g", handler=handler, retry=FAST, publish_record=published)  # type: ignore[arg-type]


async def test_a_handler_that_recovers_is_retried_until_it_succeeds() -> None:
    calls: list[Event] = []

    async def flaky(event: Event) -> None:
        calls.append(event)
        if len(calls) < 3:
            raise RuntimeError("not yet")

    event, record = event_record()
    published = Published()
    outcome = await delivery_for(event_handler_as_record_handler(flaky), published).deliver(record)
    assert outcome is Outcome.DELIVERED
    assert [e.get_id() for e in calls] == [event.get_id()] * 3
    assert published.records == []


async def test_a_handler_that_keeps_failing_sends_the_raw_record_to_the_dead_letter_topic() -> None:
    async def broken(_event: Event) -> None:
        raise KeyError("missing field")

    _, record = event_record()
    published = Published(failures=1)  # the first DLQ publish fails; it is retried, not dropped
    outcome = await delivery_for(event_handler_as_record_handler(broken), published).deliver(record)
    assert outcome is Outcome.DEAD_LETTERED
    [letter] = published.records
    headers = dict(letter.headers)
    assert letter.topic == "t.dlq" and letter.value == record.value and letter.key == record.key
    assert letter.headers[: len(record.headers)] == record.headers
    assert headers[DLQ_ATTEMPTS] == b"3" and headers[DLQ_ERROR_TYPE] == b"KeyError"
    assert headers[DLQ_REASON] == b"'missing field'" and headers[DLQ_GROUP] == b"g"
    assert headers[DLQ_SOURCE_OFFSET] == b"7"


async def test_an_undecodable_record_is_dead_lettered_without_calling_the_handler() -> None:
    async def never(_event: Event) -> None:
        raise AssertionError("handler must not see an undecodable record")

    record = BusRecord(topic="t", partition=0, offset=1, key=None, value=b"{", headers=())
    published = Published()
    outcome = await delivery_for(event_handler_as_record_handler(never), published).deliver(record)
    assert outcome is Outcome.DEAD_LETTERED
    headers = dict(published.records[0].headers)
    assert headers[DLQ_ATTEMPTS] == b"0" and headers[DLQ_ERROR_TYPE] == b"CodecError"


def test_dead_lettering_again_replaces_the_earlier_dlq_headers() -> None:
    _, record = event_record()
    once = dead_letter_record(record, group="g", reason="first", error_type="E", attempts=1)
    redriven = BusRecord(topic="t", partition=0, offset=99, key=once.key, value=once.value, headers=once.headers)
    twice = dead_letter_record(redriven, group="g", reason="second", error_type="E", attempts=2)
    names = [name for name, _ in twice.headers]
    assert names.count(DLQ_REASON) == 1
    assert dict(twice.headers)[DLQ_REASON] == b"second"


async def test_cancelling_delivery_leaves_the_record_unfinished() -> None:
    started = asyncio.Event()

    async def slow(_record: BusRecord) -> None:
        started.set()
        await asyncio.sleep(60)

    _, record = event_record()
    published = Published()
    task = asyncio.create_task(delivery_for(slow, published).deliver(record))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert published.records == []
