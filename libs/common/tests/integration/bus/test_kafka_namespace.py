"""`BusSettings.kafka_namespace`: installations sharing one Kafka cluster do not see each other's events."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import pytest
from pydantic import ValidationError

from warden_common.bus.port import DLQ_GROUP, DLQ_SOURCE_TOPIC, BusRecord
from warden_common.codec import Event
from warden_common.settings import BusSettings, RetryPolicy
from warden_common.testing.events import sample_event
from warden_common.testing.servers.kafka import list_topics
from warden_common.testing.waiting import eventually as poll_until
from warden_common.topics import dead_letter_topic

if TYPE_CHECKING:  # the conftest is not importable at run time (pytest's importlib mode)
    from conftest import BusFactory

pytestmark = pytest.mark.integration

eventually = functools.partial(poll_until, within_s=90.0)
ONE_ATTEMPT = RetryPolicy(max_attempts=1)
make_event = functools.partial(sample_event, "/tests/bus")


@pytest.fixture
def bus_settings(kafka_bootstrap: str) -> BusSettings:
    """Kafka only (the conftest's `make_bus` starts buses from these; tests pass `kafka_namespace`)."""
    return BusSettings(kind="kafka", kafka_bootstrap=kafka_bootstrap, partitions=2, retry=ONE_ATTEMPT)


async def test_same_topic_and_group_in_two_namespaces_are_two_streams(
    make_bus: BusFactory, kafka_bootstrap: str, unique_name: str
) -> None:
    topic, group = f"shared-{unique_name}", "same-group"  # the same names in both installations
    blue = await make_bus(kafka_namespace=f"blue-{unique_name}.")
    green = await make_bus(kafka_namespace=f"green-{unique_name}.")
    received: dict[str, list[str]] = {"blue": [], "green": []}

    def collect(into: list[str]) -> Callable[[Event], Awaitable[None]]:
        async def handle(event: Event) -> None:
            data = event.get_data()
            assert isinstance(data, dict)
            into.append(data["who"])

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
    make_bus: BusFactory, kafka_bootstrap: str, unique_name: str
) -> None:
    namespace, topic, group = f"ns-{unique_name}.", f"poison-{unique_name}", f"g-{unique_name}"
    bus = await make_bus(kafka_namespace=namespace)
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
