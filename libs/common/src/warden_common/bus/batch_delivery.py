"""Batch delivery (`Bus.subscribe_batch`): the same finish-or-dead-letter promise as `RecordDelivery`, per batch.

A run of fetched records is cut into batches of at most `max_batch`. For each batch: records that are not
CloudEvents are dead-lettered one by one (retrying cannot fix the bytes) and left out; the handler gets the
rest. It may reject some events for good (they are dead-lettered with its reason) or raise, which retries the
whole batch with the policy's backoff. A batch that still fails after the last attempt is delivered one event
at a time, so one poison event costs the dead-letter topic only itself. A batch counts as finished (and its
offsets may be committed) only once each of its records is handled or acknowledged by the dead-letter topic.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from warden_common.bus.delivery import KeepGoing, RecordDelivery, record_position
from warden_common.bus.port import BatchHandler, BusRecord
from warden_common.codec import CodecError, Event, from_kafka_record
from warden_common.settings import RetryPolicy

logger = logging.getLogger(__name__)


class BatchDelivery:
    """Delivers the records of one batch subscription (one topic, one group) to its batch handler."""

    def __init__(
        self,
        *,
        topic: str,
        group: str,
        handler: BatchHandler,
        retry: RetryPolicy,
        publish_record: Callable[[BusRecord], Awaitable[None]],
        max_batch: int,
    ) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._handler = handler
        self._max_batch = max_batch
        # Dead-lettering, retrying and the metrics are the per-record delivery's; only batching is added here.
        self._records = RecordDelivery(
            topic=topic, group=group, handler=_unused_record_handler, retry=retry, publish_record=publish_record
        )

    async def deliver_run(self, records: Sequence[BusRecord], keep_going: KeepGoing) -> int:
        finished = 0
        for start in range(0, len(records), self._max_batch):
            if not keep_going():
                break
            batch = records[start : start + self._max_batch]
            await self.deliver_batch(batch)
            finished += len(batch)
        return finished

    async def deliver_batch(self, records: Sequence[BusRecord]) -> None:
        """Finish every record of `records` (handled, or dead-lettered and acknowledged)."""
        decoded: list[tuple[BusRecord, Event]] = []
        for record in records:
            try:
                decoded.append((record, _decode(record)))
            except CodecError as exc:
                await self._records.dead_letter(record, exc, attempts=0)
        if len(decoded) == 1:
            await self._deliver_alone(*decoded[0])
        elif decoded:
            await self._deliver_together(decoded)

    async def _deliver_together(self, decoded: list[tuple[BusRecord, Event]]) -> None:
        first, last = decoded[0][0], decoded[-1][0]
        try:
            failure, rejected = await self._attempt(
                [event for _, event in decoded], f"batch {record_position(first)}..{last.offset}"
            )
        except CodecError as exc:
            # An event of the batch has a part that does not decode (its time or data, read by the handler).
            # Retrying the batch cannot help and we do not know which event it was: go one at a time at once.
            failure = exc
        if failure is not None:
            logger.warning(
                "batch of %d from %s/%d kept failing (%r); delivering its events one at a time",
                len(decoded),
                first.topic,
                first.partition,
                failure,
            )
            for record, event in decoded:
                await self._deliver_alone(record, event)
            return
        for position in sorted(rejected):
            if not 0 <= position < len(decoded):
                raise IndexError(f"batch handler rejected position {position} of a batch of {len(decoded)}")
            await self._records.dead_letter(decoded[position][0], rejected[position], attempts=1)
        self._records.delivered.inc(len(decoded) - len(rejected))

    async def _deliver_alone(self, record: BusRecord, event: Event) -> None:
        failure, rejected = await self._attempt([event], record_position(record))
        if failure is not None:
            await self._records.dead_letter(record, failure, attempts=self._records.retry.max_attempts)
        elif rejected:
            await self._records.dead_letter(record, next(iter(rejected.values())), attempts=1)
        else:
            self._records.delivered.inc()

    async def _attempt(self, events: list[Event], what: str) -> tuple[Exception | None, dict[int, Exception]]:
        """Call the handler with the retry policy: (the last error if every attempt failed, the rejections)."""
        rejected: dict[int, Exception] = {}

        async def handle() -> None:
            rejected.clear()
            try:
                rejected.update(await self._handler(events) or {})
            except CodecError as exc:
                # The handler found an event it cannot read. Alone, that event is rejected for good; in a batch,
                # the error propagates (`attempt` does not retry it) and the caller goes one event at a time.
                if len(events) > 1:
                    raise
                rejected[0] = exc

        return await self._records.attempt(handle, what), rejected


async def _unused_record_handler(record: BusRecord) -> None:  # pragma: no cover - batches call the batch handler
    raise RuntimeError("BatchDelivery hands records to its batch handler, never to a record handler")


def _decode(record: BusRecord) -> Event:
    return from_kafka_record(record.headers, record.value, record.key, defer=True)
