"""`Bus.subscribe_batch`, held against both adapters (each test runs once with Kafka, once standalone)."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from warden_common.bus.kafka import KafkaBus
from warden_common.bus.port import DLQ_ATTEMPTS, DLQ_ERROR_TYPE, DLQ_REASON, Bus, BusRecord
from warden_common.bus.postgres import PostgresBus
from warden_common.codec import Event, to_kafka_record
from warden_common.settings import BusSettings
from warden_common.testing.events import sample_event
from warden_common.testing.waiting import eventually as poll_until
from warden_common.topics import dead_letter_topic

pytestmark = pytest.mark.integration

WAIT_S = 90.0
eventually = functools.partial(poll_until, within_s=WAIT_S)


make_event = functools.partial(sample_event, "/tests/bus-batch")


def seq_of(event: Event) -> int:
    data: dict[str, Any] = event.get_data()  # type: ignore[assignment]
    return int(data["seq"])


@dataclass
class Batches:
    """Records every batch a handler was called with; rejects or fails on request."""

    batches: list[list[int]] = field(default_factory=list)
    reject: set[int] = field(default_factory=set)
    poison: set[int] = field(default_factory=set)
    failures_left: int = 0
    succeeded: list[list[int]] = field(default_factory=list)
    calls: int = 0

    async def handle(self, events: Sequence[Event]) -> Mapping[int, Exception] | None:
        self.calls += 1
        seqs = [seq_of(e) for e in events]
        self.batches.append(seqs)
        if self.failures_left:
            self.failures_left -= 1
            raise ConnectionError("store away")
        if self.poison & set(seqs):
            raise ValueError(f"cannot digest a batch holding {sorted(self.poison & set(seqs))}")
        self.succeeded.append(seqs)
        return {i: ValueError(f"seq {s} is not wanted") for i, s in enumerate(seqs) if s in self.reject}

    def handled(self) -> set[int]:
        """Sequence numbers the handler finished (in a batch it returned from), rejections excluded."""
        return {s for seqs in self.succeeded for s in seqs} - self.reject


@dataclass
class RecordInbox:
    records: list[BusRecord] = field(default_factory=list)

    async def handle(self, record: BusRecord) -> None:
        self.records.append(record)


def short_grace_bus(settings: BusSettings) -> Bus:
    """A bus that gives up on a stuck handler after one second when it closes (the record stays uncommitted)."""
    if settings.kind == "kafka":
        return KafkaBus(settings, revoke_grace_s=1.0)
    return PostgresBus(settings, stop_grace_s=1.0)


async def test_events_arrive_in_batches_no_larger_than_asked_and_each_once(bus: Bus, unique_name: str) -> None:
    topic, count = f"batch-{unique_name}", 60
    batches = Batches()
    await bus.subscribe_batch(topic, group=f"g-{unique_name}", handler=batches.handle, max_batch=8)
    await asyncio.gather(*(bus.publish(make_event(seq=n), topic=topic, key=f"k{n % 5}") for n in range(count)))

    await eventually(lambda: sum(len(b) for b in batches.batches) >= count, "every event delivered")
    delivered = [s for seqs in batches.batches for s in seqs]
    assert sorted(delivered) == list(range(count))  # each exactly once: no failures, so no redelivery
    assert all(1 <= len(seqs) <= 8 for seqs in batches.batches)
    assert any(len(seqs) > 1 for seqs in batches.batches), "events were never batched"


async def test_a_batch_that_fails_is_retried_whole_and_then_committed(
    bus: Bus, bus_settings: BusSettings, unique_name: str
) -> None:
    topic, group = f"retry-{unique_name}", f"g-{unique_name}"
    for n in range(5):  # published before subscribing: the first fetch holds all five
        await bus.publish(make_event(seq=n), topic=topic, key="one-key")
    batches = Batches(failures_left=2)
    subscription = await bus.subscribe_batch(topic, group=group, handler=batches.handle, max_batch=100)

    await eventually(lambda: len(batches.batches) >= 3, "two failed attempts and a successful one")
    assert batches.batches[:3] == [[0, 1, 2, 3, 4]] * 3
    await subscription.stop()

    # A new member of the group starts after the committed batch: only the new event arrives.
    after = Batches()
    fresh = short_grace_bus(bus_settings)
    await fresh.start()
    try:
        await fresh.subscribe_batch(topic, group=group, handler=after.handle)
        await bus.publish(make_event(seq=99), topic=topic, key="one-key")
        await eventually(lambda: bool(after.batches), "the new event delivered")
        assert after.batches == [[99]]
    finally:
        await fresh.close()


async def test_a_batch_not_finished_is_not_committed_and_goes_to_the_next_member(
    bus_settings: BusSettings, unique_name: str
) -> None:
    topic, group = f"uncommitted-{unique_name}", f"g-{unique_name}"
    stuck_bus, next_bus = short_grace_bus(bus_settings), short_grace_bus(bus_settings)
    await stuck_bus.start()
    await next_bus.start()
    try:
        for n in range(4):
            await stuck_bus.publish(make_event(seq=n), topic=topic, key="one-key")
        seen: list[list[int]] = []
        never = asyncio.Event()

        async def stuck(events: Sequence[Event]) -> None:
            seen.append([seq_of(e) for e in events])
            await never.wait()  # e.g. the store hangs; the process goes away before the batch is stored

        await stuck_bus.subscribe_batch(topic, group=group, handler=stuck)
        await eventually(lambda: bool(seen), "the stuck member got the batch")
        await stuck_bus.close()  # gives up on the handler after the grace; nothing committed

        batches = Batches()
        await next_bus.subscribe_batch(topic, group=group, handler=batches.handle)
        await eventually(lambda: batches.handled() >= {0, 1, 2, 3}, "the batch redelivered to the next member")
        assert seen[0] == [0, 1, 2, 3]
    finally:
        await next_bus.close()


async def test_rejected_and_undecodable_records_are_dead_lettered_one_by_one(bus: Bus, unique_name: str) -> None:
    topic, group = f"reject-{unique_name}", f"g-{unique_name}"
    for n in range(3):
        await bus.publish(make_event(seq=n), topic=topic, key="one-key")
    garbage = BusRecord(topic=topic, partition=0, offset=0, key=b"one-key", value=b"\x00not an event")
    await bus.publish_record(garbage)
    for n in range(3, 6):
        await bus.publish(make_event(seq=n), topic=topic, key="one-key")

    dead_letters = RecordInbox()
    await bus.subscribe_records(dead_letter_topic(topic), group=f"dlq-{unique_name}", handler=dead_letters.handle)
    batches = Batches(reject={4})
    await bus.subscribe_batch(topic, group=group, handler=batches.handle)

    await eventually(lambda: len(dead_letters.records) == 2 and batches.handled() == {0, 1, 2, 3, 5}, "all done")
    assert all(seqs for seqs in batches.batches)  # the garbage never reached the handler
    by_type = {dict(r.headers)[DLQ_ERROR_TYPE]: r for r in dead_letters.records}
    assert by_type[b"CodecError"].value == garbage.value
    rejected = dict(by_type[b"ValueError"].headers)
    assert rejected[DLQ_REASON] == b"seq 4 is not wanted"
    assert rejected[DLQ_ATTEMPTS] == b"1"


async def test_a_poison_event_fails_its_batch_then_only_it_is_dead_lettered(
    bus: Bus, bus_settings: BusSettings, unique_name: str
) -> None:
    topic, group = f"poison-{unique_name}", f"g-{unique_name}"
    for n in range(6):
        await bus.publish(make_event(seq=n), topic=topic, key="one-key")
    dead_letters = RecordInbox()
    await bus.subscribe_records(dead_letter_topic(topic), group=f"dlq-{unique_name}", handler=dead_letters.handle)
    batches = Batches(poison={2})
    await bus.subscribe_batch(topic, group=group, handler=batches.handle)

    await eventually(lambda: len(dead_letters.records) == 1 and batches.handled() == {0, 1, 3, 4, 5}, "all done")
    letter = dict(dead_letters.records[0].headers)
    assert letter[DLQ_REASON] == b"cannot digest a batch holding [2]"
    assert letter[DLQ_ATTEMPTS] == str(bus_settings.retry.max_attempts).encode()
    assert [2] in batches.batches  # retried alone after the batch kept failing


async def test_an_event_whose_data_does_not_decode_is_dead_lettered_without_retrying_its_batch(
    bus: Bus, unique_name: str
) -> None:
    topic, group = f"bad-data-{unique_name}", f"g-{unique_name}"
    for n in range(3):
        await bus.publish(make_event(seq=n), topic=topic, key="one-key")
    key, headers, _ = to_kafka_record(make_event(seq=99), "one-key")
    await bus.publish_record(BusRecord(topic=topic, partition=0, offset=0, key=key, value=b"[1, 2", headers=headers))
    for n in range(3, 6):
        await bus.publish(make_event(seq=n), topic=topic, key="one-key")

    dead_letters = RecordInbox()
    await bus.subscribe_records(dead_letter_topic(topic), group=f"dlq-{unique_name}", handler=dead_letters.handle)
    batches = Batches()
    await bus.subscribe_batch(topic, group=group, handler=batches.handle)

    await eventually(lambda: len(dead_letters.records) == 1 and batches.handled() == set(range(6)), "all done")
    letter = dict(dead_letters.records[0].headers)
    assert letter[DLQ_ERROR_TYPE] == b"InvalidJsonError"
    assert b"event data" in letter[DLQ_REASON]
    # The batch holding the bad event failed once (no retries with backoff), then the bad event alone failed.
    assert batches.calls - len(batches.succeeded) == 2
