"""`KafkaSubscription`: one consumer-group member on one topic, with manual commits (see `warden_common.bus.kafka`).

Each assigned partition has a lane: the runs fetched for it, delivered in offset order by one task (the runs
waiting when it comes back delivered together, up to `max_records`), the offset committed after each delivery.
Fetching goes on while lanes deliver, so a partition whose handler waits (a bulk write, a retry backoff) holds up
neither the other partitions nor the next fetch: the next run's work overlaps the previous run's waiting. A lane
that has `max_buffered` records waiting is paused (no more fetches for it) until it has caught up, which bounds
memory.

Auto-commit is off. Rebalances: the revoke callback lets the run in flight on a revoked partition finish (bounded
by `revoke_grace_s`, then it is cancelled and left uncommitted), commits what was finished while the partition is
still ours, drops what was fetched but not delivered (the next owner starts from the commit), and nothing is
committed for a partition the consumer no longer owns.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError

from warden_common.bus.delivery import RunDelivery
from warden_common.bus.port import BusRecord

logger = logging.getLogger(__name__)

Records = list[ConsumerRecord[Any, Any]]


class _Lane:
    """One partition's fetched runs, waiting for delivery in order, the task delivering them, and its commits."""

    __slots__ = ("buffered", "commit_task", "committed", "finished", "runs", "task")

    def __init__(self) -> None:
        self.runs: deque[Records] = deque()
        self.buffered = 0
        self.task: asyncio.Task[None] | None = None
        self.finished = -1  # the next offset after the last delivered record; what is to be committed
        self.committed = -1
        self.commit_task: asyncio.Task[None] | None = None


class KafkaSubscription(ConsumerRebalanceListener):  # type: ignore[misc]
    """One consumer-group member on one topic."""

    def __init__(
        self,
        consumer: AIOKafkaConsumer,
        delivery: RunDelivery,
        *,
        topic: str,
        revoke_grace_s: float,
        max_records: int = 1000,
        max_buffered: int | None = None,
    ) -> None:
        self._consumer = consumer
        self._max_records = max_records
        self._max_buffered = max_buffered if max_buffered is not None else 2 * max_records
        self._delivery = delivery
        self._topic = topic  # as the bus's callers name it: without `BusSettings.kafka_namespace`
        self._revoke_grace_s = revoke_grace_s
        self._revoked: set[TopicPartition] = set()
        self._lanes: dict[TopicPartition, _Lane] = {}
        self._paused: set[TopicPartition] = set()
        self._stopping = False
        self._loop_task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._loop_task = asyncio.create_task(self._consume(), name="warden-kafka-consumer")

    async def stop(self) -> None:
        """Finish the runs in flight, commit them, and leave the group (a second call does nothing)."""
        if self._stopping:
            return
        self._stopping = True
        if self._loop_task is not None:
            await _finish_within(self._revoke_grace_s, [self._loop_task])
        await _finish_within(self._revoke_grace_s, self._lane_tasks(set(self._lanes)))
        await self._flush_commits(set(self._lanes))
        await self._consumer.stop()

    # -- rebalance callbacks (awaited by aiokafka's coordinator before it rejoins the group) --

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        self._revoked |= set(revoked)
        late = await _finish_within(self._revoke_grace_s, self._lane_tasks(revoked))
        if late:
            logger.warning("%d run(s) outlived the rebalance grace; cancelled, they will be redelivered", late)
        await self._flush_commits(revoked)  # while the partitions are still ours
        for tp in revoked:
            self._lanes.pop(tp, None)  # fetched but undelivered runs: the next owner refetches from the commit
            self._paused.discard(tp)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        self._revoked -= set(assigned)
        logger.debug("assigned partitions %s", sorted(tp.partition for tp in assigned))

    # -- consuming --

    async def _consume(self) -> None:
        while not self._stopping:
            try:
                # While some lane is paused, come back soon: its resumption needs a fetch to take effect.
                timeout_ms = 50 if self._paused else 500
                batches = await self._consumer.getmany(timeout_ms=timeout_ms, max_records=self._max_records)
            except KafkaError:
                logger.exception("fetching from Kafka failed; retrying")
                await asyncio.sleep(1.0)
                continue
            for tp, records in batches.items():
                if records and tp not in self._revoked:
                    self._enqueue(tp, records)

    def _enqueue(self, tp: TopicPartition, records: Records) -> None:
        lane = self._lanes.get(tp)
        if lane is None:
            lane = self._lanes[tp] = _Lane()
        lane.runs.append(records)
        lane.buffered += len(records)
        if lane.buffered >= self._max_buffered and tp not in self._paused:
            self._consumer.pause(tp)
            self._paused.add(tp)
        if lane.task is None or lane.task.done():
            lane.task = asyncio.create_task(self._drain(tp, lane), name=f"warden-kafka-lane-{tp.partition}")

    async def _drain(self, tp: TopicPartition, lane: _Lane) -> None:
        """Deliver the lane's runs in order, committing after each, until it is empty or no longer ours."""

        def keep_going() -> bool:
            return not (self._stopping or tp in self._revoked)

        while lane.runs and keep_going():
            records, taken = self._next_run(lane)
            try:
                run = [_as_bus_record(self._topic, r) for r in records]
                finished = await self._delivery.deliver_run(run, keep_going)
            except Exception:
                # Not a handler failure (those are retried and dead-lettered inside the delivery): a bug. Fetch the
                # run again from its first record rather than skip past it.
                logger.exception("delivering %s failed; fetching from offset %d again", tp, records[0].offset)
                self._rewind(tp, lane, records[0].offset)
                return
            if finished:
                self._commit_later(tp, lane, records[finished - 1].offset + 1)
            if finished < len(records):
                return  # stopping, or the partition was revoked: what is left is not ours to deliver
            for _ in range(taken):
                lane.runs.popleft()
            lane.buffered -= len(records)
            if tp in self._paused and lane.buffered < self._max_buffered:
                self._paused.discard(tp)
                if tp in self._consumer.assignment():
                    self._consumer.resume(tp)

    def _next_run(self, lane: _Lane) -> tuple[Records, int]:
        """The lane's next run and how many fetched runs it takes: every run waiting, up to `max_records`.

        The fetcher goes on while a lane delivers, so a lane whose handler waits (a bulk write) finds several
        small runs queued when it comes back. Delivered one by one, each would pay the handler's whole wait and
        the lane would fall further behind with every run; delivered together they pay it once. An idle lane
        still delivers a single run as soon as it is fetched (no waiting for more).
        """
        records, taken = lane.runs[0], 1
        if len(lane.runs) > 1 and len(records) + len(lane.runs[1]) <= self._max_records:
            records = list(records)
            while taken < len(lane.runs) and len(records) + len(lane.runs[taken]) <= self._max_records:
                records.extend(lane.runs[taken])
                taken += 1
        return records, taken

    def _rewind(self, tp: TopicPartition, lane: _Lane, offset: int) -> None:
        lane.runs.clear()
        lane.buffered = 0
        if tp in self._consumer.assignment():
            self._consumer.seek(tp, offset)
            if tp in self._paused:
                self._paused.discard(tp)
                self._consumer.resume(tp)

    def _commit_later(self, tp: TopicPartition, lane: _Lane, next_offset: int) -> None:
        """Commit `next_offset` in the background: the lane goes on with its next run meanwhile.

        Commits of a partition are made one at a time, in order, each of the latest finished offset (so a burst
        of runs costs one round trip, not one each); `_flush_commits` waits for them.
        """
        lane.finished = next_offset
        if lane.commit_task is None or lane.commit_task.done():
            lane.commit_task = asyncio.create_task(self._commit_finished(tp, lane), name=f"warden-kafka-commit-{tp}")

    async def _commit_finished(self, tp: TopicPartition, lane: _Lane) -> None:
        while lane.committed < lane.finished:
            offset = lane.finished
            await self._commit(tp, offset)
            lane.committed = offset

    async def _flush_commits(self, partitions: set[TopicPartition]) -> None:
        pending = [
            lane.commit_task
            for tp, lane in self._lanes.items()
            if tp in partitions and lane.commit_task is not None and not lane.commit_task.done()
        ]
        if pending:
            await asyncio.wait(pending)

    def _lane_tasks(self, partitions: set[TopicPartition]) -> list[asyncio.Task[None]]:
        return [
            lane.task
            for tp, lane in self._lanes.items()
            if tp in partitions and lane.task is not None and not lane.task.done()
        ]

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


async def _finish_within(grace_s: float, tasks: list[asyncio.Task[None]]) -> int:
    """Wait up to `grace_s` for `tasks`, then cancel the ones still running; returns how many were cancelled."""
    if not tasks:
        return 0
    _, late = await asyncio.wait(tasks, timeout=grace_s)
    for task in late:
        task.cancel()
    if late:
        await asyncio.wait(late)
    return len(late)


def _as_bus_record(topic: str, record: ConsumerRecord[Any, Any]) -> BusRecord:
    value = record.value
    # Positional: this runs for every consumed record, and keywords cost a named tuple twice the time.
    return BusRecord(
        topic,
        record.partition,
        record.offset,
        record.key,
        b"" if value is None else value,
        tuple(record.headers),
    )
