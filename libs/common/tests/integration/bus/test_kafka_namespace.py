"""`BusSettings.kafka_namespace`: installations sharing one Kafka cluster do not see each other's events."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from cloudevents.core.v1.event import CloudEvent
from pydantic import ValidationError

from warden_common.bus.kafka import KafkaBus
from warden_common.bus.port import DLQ_GROUP, DLQ_SOURCE_TOPIC, Bus, BusRecord
from warden_common.codec import Event
from warden_common.settings import BusSettings, RetryPolicy
from warden_common.testing.servers.kafka import list_topics
from warden_common.testing.waiting import eventually as poll_until
from warden_common.topics import dead_letter_topic

pytestmark = pytest.mark.integration

eventually = functools.partial(poll_until, within_s=90.0)
ONE_ATTEMPT = RetryPolicy(max_attempts=1)


def make_event(**data: Any) -> CloudEvent:
    return CloudEvent(
        {"type": "io.warden.test.happened.v1", "source": "/tests/bus", "datacontenttype": "application/json"},
        data=data,
    )


@pytest.fixture
async def kafka_bus(kafka_bootstrap: str) -> AsyncIterator[Callable[[str], Awaitable[Bus]]]:
    """`await kafka_bus(namespace)`: a started KafkaBus in that namespace, closed after the test."""
    started: list[Bus] = []

    async def make(namespace: str) -> Bus:
        settings = BusSettings(kind="kafka", kafka_bootstrap=kafka_bootstrap, kafka_namespace=namespace,
                               partitions=2, retry=ONE_ATTEMPT)  # fmt: skip
        bus = KafkaBus(settings)
        await bus.start()
        started.append(bus)
        return bus

    yield make
    for bus in started:
        await bus.close()


async def test_same_topic_and_group_in_two_namespaces_are_two_streams(
    kafka_bus: Callable[[str], Awaitable[Bus]], kafka_bootstrap: str, unique_name: str
) -> None:
    topic, group = f"shared-{unique_name}", "same-group"  # the same names in both installations
    blue, green = await kafka_bus(f"blue-{unique_name}."), await kafka_bus(f"green-{unique_name}.")
    received: dict[str, list[str]] = {"blue": [], "green": []}

    def collect(into: list[str]) -> Callable[[Event], Awaitable[None]]:
        async def handle(event: Event) -> None:
            into.append(event.get_data()["who"])  # type: ignore[index]

        return handle

    await blue.subscribe(topic, group=group, handler=collect(received["blue"]))
    await green.subscribe(topic, group=group, handler=collect(received["green"]))
    await blue.publish(make_event(who="blue"), topic=topic, key="k")
    await green.publish(make_event(who="green"), topic=topic, key="k")

    # Each installation's group gets every event of its own namespace (it is not one group split across both).
    await eventually(lambda: received["blue"] == ["blue"] and received["green"] == ["green"], "one event each")
    assert {f"blue-{unique_name}.{topic}", f"green-{unique_name}.{topic}"} <= await list_topics(kafka_bootstrap)
    assert topic not in await list_topics(kafka_bootstrap)


async def test_dead_letters_stay_in_the_namespace_and_name_the_unprefixed_topic(
    kafka_bus: Callable[[str], Awaitable[Bus]], kafka_bootstrap: str, unique_name: str
) -> None:
    namespace, topic, group = f"ns-{unique_name}.", f"poison-{unique_name}", f"g-{unique_name}"
    bus = await kafka_bus(namespace)
    letters: list[BusRecord] = []

    async def reject(event: Event) -> None:
        raise ValueError("not today")

    async def keep(record: BusRecord) -> None:
        letters.append(record)

    await bus.subscribe_records(dead_letter_topic(topic), group=f"dlq-{unique_name}", handler=keep)
    await bus.subscribe(topic, group=group, handler=reject)
    await bus.publish(make_event(who="poison"), topic=topic, key="k")

    await eventually(lambda: len(letters) == 1, "the dead letter")
    [letter] = letters
    assert letter.topic == dead_letter_topic(topic)
    headers = dict(letter.headers)
    assert headers[DLQ_SOURCE_TOPIC] == topic.encode()
    assert headers[DLQ_GROUP] == group.encode()
    assert namespace + dead_letter_topic(topic) in await list_topics(kafka_bootstrap)


@pytest.mark.parametrize("namespace", ["has space.", "slash/", "x" * 101])
def test_a_namespace_kafka_would_refuse_is_refused_in_the_settings(namespace: str) -> None:
    with pytest.raises(ValidationError, match="kafka_namespace"):
        BusSettings(kind="kafka", kafka_namespace=namespace)
