"""`KafkaSubscription`: one consumer-group member on one topic, with manual commits (see `warden_common.bus.kafka`).

Auto-commit is off: records of a partition are delivered in order and the offset is committed after the run
finished. Rebalances: the revoke callback lets the record in flight on a revoked partition finish (bounded by
`revoke_grace_s`, then it is cancelled and left uncommitted), commits what was finished while the partition is
still ours, and nothing is committed for a partition the consumer no longer owns.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError

from warden_common.bus.delivery import RunDelivery
from warden_common.bus.port import BusRecord

logger = logging.getLogger(__name__)


class KafkaSubscription(ConsumerRebalanceListener):  # type: ignore[misc]
    """One consumer-group member on one topic."""

    def __init__(
        self, consumer: AIOKafkaConsumer, delivery: RunDelivery, *, revoke_grace_s: float, max_records: int = 1000
    ) -> None:
        self._consumer = consumer
        self._max_records = max_records
        self._delivery = delivery
        self._revoke_grace_s = revoke_grace_s
        self._revoked: set[TopicPartition] = set()
        self._runs: dict[TopicPartition, asyncio.Task[None]] = {}
        self._stopping = False
        self._loop_task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._loop_task = asyncio.create_task(self._consume(), name="warden-kafka-consumer")

    async def stop(self) -> None:
        """Finish the records in flight, commit them, and leave the group (a second call does nothing)."""
        if self._stopping:
            return
        self._stopping = True
        if self._loop_task is not None:
            done, _ = await asyncio.wait([self._loop_task], timeout=self._revoke_grace_s)
            if not done:
                self._loop_task.cancel()
                await asyncio.wait([self._loop_task])
        await self._consumer.stop()

    # -- rebalance callbacks (awaited by aiokafka's coordinator before it rejoins the group) --

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        self._revoked |= set(revoked)
        pending = [task for tp, task in self._runs.items() if tp in revoked]
        if not pending:
            return
        _, late = await asyncio.wait(pending, timeout=self._revoke_grace_s)
        for task in late:
            logger.warning("record in flight outlived the rebalance grace; cancelled, it will be redelivered")
            task.cancel()
        if late:
            await asyncio.wait(late)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        self._revoked -= set(assigned)
        logger.info("assigned partitions %s", sorted(tp.partition for tp in assigned))

    # -- consuming --

    async def _consume(self) -> None:
        while not self._stopping:
            try:
                batches = await self._consumer.getmany(timeout_ms=500, max_records=self._max_records)
            except KafkaError:
                logger.exception("fetching from Kafka failed; retrying")
                await asyncio.sleep(1.0)
                continue
            runs = {
                tp: asyncio.create_task(self._run_partition(tp, records))
                for tp, records in batches.items()
                if tp not in self._revoked
            }
            if not runs:
                continue
            self._runs.update(runs)
            try:
                await asyncio.wait(runs.values())
            finally:
                for tp in runs:
                    self._runs.pop(tp, None)
            for task in runs.values():
                if not task.cancelled() and task.exception() is not None:
                    logger.error("partition run failed", exc_info=task.exception())

    async def _run_partition(self, tp: TopicPartition, records: list[ConsumerRecord[Any, Any]]) -> None:
        """Deliver one partition's records in order, then commit the finished prefix."""
        finished = await self._delivery.deliver_run(
            [_as_bus_record(record) for record in records],
            lambda: not (self._stopping or tp in self._revoked),
        )
        if finished:
            await self._commit(tp, records[finished - 1].offset + 1)

    async def _commit(self, tp: TopicPartition, next_offset: int) -> None:
        if tp not in self._consumer.assignment():
            logger.info("not committing %s: partition no longer assigned", tp)
            return
        try:
            await self._consumer.commit({tp: next_offset})
        except (CommitFailedError, IllegalStateError) as exc:
            # The group moved on without us: the new owner starts at the last commit and redelivers.
            logger.warning("commit of %s@%d refused, records will be redelivered: %s", tp, next_offset, exc)
        except KafkaError:
            logger.exception("commit of %s@%d failed, records will be redelivered", tp, next_offset)


def _as_bus_record(record: ConsumerRecord[Any, Any]) -> BusRecord:
    return BusRecord(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        key=record.key,
        value=record.value if record.value is not None else b"",
        headers=tuple(record.headers),
    )
