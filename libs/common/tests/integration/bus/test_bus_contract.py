"""The bus contract (bus/port.py), held against every adapter: each test runs once with Kafka, once standalone."""

from __future__ import annotations

import asyncio
import functools
import signal
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

from warden_common.bus.port import (
    DLQ_ATTEMPTS,
    DLQ_ERROR_TYPE,
    DLQ_GROUP,
    DLQ_REASON,
    DLQ_SOURCE_OFFSET,
    DLQ_SOURCE_PARTITION,
    DLQ_SOURCE_TOPIC,
    Bus,
    BusRecord,
)
from warden_common.codec import Event, to_kafka_record
from warden_common.settings import BusSettings
from warden_common.testing.events import sample_event
from warden_common.testing.waiting import eventually as poll_until
from warden_common.topics import dead_letter_topic

if TYPE_CHECKING:  # the conftest is not importable at run time (pytest's importlib mode)
    from conftest import BusFactory, BusProcessFactory

pytestmark = pytest.mark.integration

WAIT_S = 90.0  # Kafka needs a session timeout (10 s) plus a rebalance to notice a killed member
eventually = functools.partial(poll_until, within_s=WAIT_S)


make_event = functools.partial(sample_event, "/tests/bus")


@dataclass
class Inbox:
    """Collects what a handler received."""

    events: list[Event] = field(default_factory=list)

    async def handle(self, event: Event) -> None:
        self.events.append(event)

    async def handle_reading_data(self, event: Event) -> None:
        event.get_data()  # raises for data that does not decode
        self.events.append(event)

    @property
    def ids(self) -> set[str]:
        return {event.get_id() for event in self.events}

    def data(self) -> list[dict[str, Any]]:
        return [event.get_data() for event in self.events]  # type: ignore[misc]


@dataclass
class RecordInbox:
    records: list[BusRecord] = field(default_factory=list)

    async def handle(self, record: BusRecord) -> None:
        self.records.append(record)


async def test_events_of_one_key_arrive_in_publish_order(bus: Bus, unique_name: str) -> None:
    topic, keys, per_key = f"order-{unique_name}", [f"key-{k}" for k in range(6)], 50
    inbox = Inbox()
    await bus.subscribe(topic, group=f"g-{unique_name}", handler=inbox.handle)

    for seq in range(per_key):  # keys interleaved, published concurrently; each key's events one after another
        await asyncio.gather(*(bus.publish(make_event(key=k, seq=seq), topic=topic, key=k) for k in keys))

    await eventually(lambda: len(inbox.events) >= len(keys) * per_key, "every event delivered")
    seqs_by_key: dict[str, list[int]] = defaultdict(list)
    for data in inbox.data():
        seqs_by_key[data["key"]].append(data["seq"])
    assert seqs_by_key == {k: list(range(per_key)) for k in keys}


async def test_group_members_split_partitions_and_a_survivor_takes_over(
    bus: Bus, unique_name: str, spawn_bus_process: BusProcessFactory
) -> None:
    topic, group, keys = f"split-{unique_name}", f"g-{unique_name}", [f"key-{k}" for k in range(16)]
    other = await spawn_bus_process("consume", topic, group)
    await other.wait_for_line(lambda line: line.get("ready") is True)
    inbox = Inbox()
    await bus.subscribe(topic, group=group, handler=inbox.handle)

    async def publish_round(label: str) -> set[str]:
        events = {k: make_event(key=k, seq=label) for k in keys}
        await asyncio.gather(*(bus.publish(e, topic=topic, key=k) for k, e in events.items()))
        return {e.get_id() for e in events.values()}

    def keys_seen_by_other(ids: set[str]) -> set[str]:
        return {str(line["key"]) for line in other.lines if line.get("received") in ids}

    def keys_seen_here(ids: set[str]) -> set[str]:
        return {data["key"] for event, data in zip(inbox.events, inbox.data(), strict=True) if event.get_id() in ids}

    def round_delivered(ids: set[str]) -> bool:
        return keys_seen_here(ids) | keys_seen_by_other(ids) == set(keys)

    # Membership settles asynchronously: publish rounds until one round is split between the two members.
    split_round = None
    for attempt in range(60):
        ids = await publish_round(f"split-{attempt}")
        await eventually(functools.partial(round_delivered, ids), "round delivered")
        mine, theirs = keys_seen_here(ids), keys_seen_by_other(ids)
        if mine and theirs and not mine & theirs:
            split_round = (mine, theirs)
            break
        await asyncio.sleep(0.5)
    assert split_round is not None, "the two members never split the partitions"

    other.kill()  # SIGKILL: no goodbye to the group
    assert await other.wait_exit() == -signal.SIGKILL
    after = await publish_round("after-kill")
    await eventually(lambda: after <= inbox.ids, "the survivor received every event published after the kill")
    assert keys_seen_here(after) == set(keys)


async def test_consumer_killed_before_commit_gets_its_event_redelivered(
    bus: Bus, unique_name: str, spawn_bus_process: BusProcessFactory
) -> None:
    topic, group = f"redeliver-{unique_name}", f"g-{unique_name}"
    first, fatal, last = make_event(seq=1), make_event(seq=2, die=True), make_event(seq=3)
    for event in (first, fatal, last):
        await bus.publish(event, topic=topic, key="one-key")

    victim = await spawn_bus_process("consume", topic, group)
    await victim.wait_for_line(lambda line: line.get("dying") == fatal.get_id())
    assert await victim.wait_exit() == -signal.SIGKILL
    assert [line["received"] for line in victim.lines if "received" in line] == [first.get_id()]

    inbox = Inbox()
    await bus.subscribe(topic, group=group, handler=inbox.handle)
    await eventually(lambda: {fatal.get_id(), last.get_id()} <= inbox.ids, "the uncommitted events redelivered")


async def test_poison_event_is_dead_lettered_with_its_reason_and_later_events_flow(
    bus: Bus, bus_settings: BusSettings, unique_name: str
) -> None:
    topic, group = f"poison-{unique_name}", f"g-{unique_name}"
    events = [make_event(seq=seq, poison=seq == 3) for seq in range(7)]
    attempts: dict[int, int] = defaultdict(int)
    delivered: list[int] = []

    async def handle(event: Event) -> None:
        data: dict[str, Any] = event.get_data()  # type: ignore[assignment]
        attempts[data["seq"]] += 1
        if data["poison"]:
            raise ValueError(f"cannot digest seq {data['seq']}")
        delivered.append(data["seq"])

    dead_letters = RecordInbox()
    await bus.subscribe_records(dead_letter_topic(topic), group=f"dlq-{unique_name}", handler=dead_letters.handle)
    await bus.subscribe(topic, group=group, handler=handle)
    for event in events:  # one key: the poison event sits between others on the same partition
        await bus.publish(event, topic=topic, key="same-key")

    await eventually(lambda: len(delivered) == 6 and len(dead_letters.records) == 1, "delivery and dead letter")
    assert delivered == [0, 1, 2, 4, 5, 6]
    assert attempts[3] == bus_settings.retry.max_attempts

    letter = dead_letters.records[0]
    headers = dict(letter.headers)
    assert headers[DLQ_REASON] == b"cannot digest seq 3"
    assert headers[DLQ_ERROR_TYPE] == b"ValueError"
    assert headers[DLQ_ATTEMPTS] == str(bus_settings.retry.max_attempts).encode()
    assert headers[DLQ_SOURCE_TOPIC] == topic.encode()
    assert headers[DLQ_GROUP] == group.encode()
    assert int(headers[DLQ_SOURCE_PARTITION]) >= 0 and int(headers[DLQ_SOURCE_OFFSET]) == 3
    assert headers["ce_id"] == events[3].get_id().encode()  # the original record, unchanged
    assert letter.key == b"same-key"


async def test_undecodable_record_is_dead_lettered_at_once(bus: Bus, unique_name: str) -> None:
    topic, group = f"garbage-{unique_name}", f"g-{unique_name}"
    inbox, dead_letters = Inbox(), RecordInbox()
    await bus.subscribe_records(dead_letter_topic(topic), group=f"dlq-{unique_name}", handler=dead_letters.handle)
    await bus.subscribe(topic, group=group, handler=inbox.handle)

    garbage = BusRecord(
        topic=topic, partition=0, offset=0, key=b"k", value=b"\x00not an event", headers=(("x-origin", b"fuzzer"),)
    )
    await bus.publish_record(garbage)
    valid = make_event(seq=1)
    await bus.publish(valid, topic=topic, key=b"k")

    await eventually(lambda: len(inbox.events) == 1 and len(dead_letters.records) == 1, "event and dead letter")
    assert inbox.ids == {valid.get_id()}
    letter = dead_letters.records[0]
    headers = dict(letter.headers)
    assert letter.value == garbage.value
    assert headers["x-origin"] == b"fuzzer"
    assert headers[DLQ_ERROR_TYPE] == b"CodecError"
    assert headers[DLQ_ATTEMPTS] == b"0"
    assert headers[DLQ_REASON]  # the codec names what is wrong
    assert headers[DLQ_SOURCE_TOPIC] == topic.encode()


async def test_nothing_published_is_lost_when_the_publisher_is_killed(
    make_bus: BusFactory, unique_name: str, spawn_bus_process: BusProcessFactory
) -> None:
    topic, count = f"durable-{unique_name}", 200
    publisher = await spawn_bus_process("publish", topic, str(count))
    await publisher.wait_for_line(lambda line: line.get("done") is True)
    publisher.kill()
    assert await publisher.wait_exit() == -signal.SIGKILL
    published = {str(line["published"]) for line in publisher.lines if "published" in line}
    assert len(published) == count

    fresh, inbox = await make_bus(), Inbox()
    await fresh.subscribe(topic, group=f"g-{unique_name}", handler=inbox.handle)
    await eventually(lambda: published <= inbox.ids, "every acknowledged event read back by a fresh bus")


async def test_event_whose_data_does_not_decode_is_dead_lettered_at_once_when_read(bus: Bus, unique_name: str) -> None:
    # Valid headers (the envelope passes), a body that is not the JSON its content type promises: the handler
    # gets the event, reading its data raises the codec's error, and the record goes to the DLQ without retries.
    topic, group = f"bad-data-{unique_name}", f"g-{unique_name}"
    inbox, dead_letters = Inbox(), RecordInbox()
    await bus.subscribe_records(dead_letter_topic(topic), group=f"dlq-{unique_name}", handler=dead_letters.handle)
    await bus.subscribe(topic, group=group, handler=inbox.handle_reading_data)

    key, headers, _ = to_kafka_record(make_event(seq=0), "k")
    await bus.publish_record(BusRecord(topic=topic, partition=0, offset=0, key=key, value=b'{"seq": ', headers=headers))
    valid = make_event(seq=1)
    await bus.publish(valid, topic=topic, key="k")

    await eventually(lambda: len(inbox.events) == 1 and len(dead_letters.records) == 1, "event and dead letter")
    assert inbox.ids == {valid.get_id()}
    letter = dict(dead_letters.records[0].headers)
    assert letter[DLQ_ERROR_TYPE] == b"InvalidJsonError"
    assert letter[DLQ_ATTEMPTS] == b"0"
    assert b"event data" in letter[DLQ_REASON] and b"line 1" in letter[DLQ_REASON]


async def test_a_partition_whose_handler_waits_holds_up_no_other_partition(bus: Bus, unique_name: str) -> None:
    # The event of key "slow" blocks its handler until released. Events published after that (keys spread over
    # the topic's 4 partitions) must keep arriving meanwhile: fetching goes on while one partition's handler waits.
    topic, group = f"lanes-{unique_name}", f"g-{unique_name}"
    entered, gate = asyncio.Event(), asyncio.Event()
    inbox = Inbox()

    async def handle(event: Event) -> None:
        if event.get_data() == {"key": "slow"}:
            entered.set()
            await gate.wait()
        inbox.events.append(event)

    await bus.subscribe(topic, group=group, handler=handle)
    await bus.publish(make_event(key="slow"), topic=topic, key="slow")
    await asyncio.wait_for(entered.wait(), WAIT_S)
    others = [f"k{n}" for n in range(40)]
    for key in others:
        await bus.publish(make_event(key=key), topic=topic, key=key)

    def keys_seen() -> set[str]:
        return {data["key"] for data in inbox.data()}

    # Some of the 40 share the slow key's partition and must wait behind it; most do not.
    await eventually(lambda: len(keys_seen()) >= 20, "events of the other partitions while one is blocked")
    assert "slow" not in keys_seen()
    gate.set()
    await eventually(lambda: keys_seen() == {"slow", *others}, "everything once the blocked handler returns")
