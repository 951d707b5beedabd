"""A Kafka lane delivers every run queued while it was busy as one run (up to `max_records`), in offset order:
a lane whose handler waits on a store must not pay that wait once per small fetched run."""

from __future__ import annotations

from typing import Any, cast

from aiokafka import AIOKafkaConsumer

from warden_common.bus.delivery import RunDelivery
from warden_common.bus.kafka_subscription import KafkaSubscription, Records, _Lane


def subscription(max_records: int) -> KafkaSubscription:
    return KafkaSubscription(cast(AIOKafkaConsumer, None), cast(RunDelivery, None), topic="t", revoke_grace_s=1.0,
                             max_records=max_records)  # fmt: skip


def lane(*sizes: int) -> _Lane:
    queued, offset = _Lane(), 0
    for size in sizes:
        queued.runs.append(list(range(offset, offset + size)))
        offset += size
    return queued


def offsets(records: Records) -> list[Any]:
    return list(records)


def test_queued_runs_are_delivered_together_in_order() -> None:
    records, taken = subscription(100)._next_run(lane(3, 4, 5))
    assert taken == 3
    assert offsets(records) == list(range(12))


def test_runs_are_joined_only_up_to_max_records() -> None:
    records, taken = subscription(8)._next_run(lane(3, 4, 5))
    assert taken == 2
    assert offsets(records) == list(range(7))


def test_a_lone_run_goes_as_it_was_fetched() -> None:
    queued = lane(6)
    records, taken = subscription(4)._next_run(queued)
    assert taken == 1 and records is queued.runs[0]  # even above max_records: never split, never waited for
