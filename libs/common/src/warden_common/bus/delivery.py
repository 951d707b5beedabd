"""What happens to one consumed record, the same for every adapter.

Decode it (not a CloudEvent -> dead letter at once: retrying cannot fix the bytes), call the handler, retry
with the policy's backoff while it raises, and after the last attempt publish the raw record, with the reason
in `DLQ_*` headers, to `dead_letter_topic(topic)`. `deliver` returns only once the record is finished
(handled or dead-lettered and acknowledged), so the adapter may then commit its offset; if `deliver` is
cancelled the record is not finished and must stay uncommitted.

Adapters call `deliver` for the records of one partition one after the other — that is what keeps per-key
order — and may run different partitions concurrently.
"""

from __future__ import annotations

import asyncio
import enum
import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from prometheus_client import Counter

from warden_common.bus.port import (
    DLQ_ATTEMPTS,
    DLQ_ERROR_TYPE,
    DLQ_GROUP,
    DLQ_REASON,
    DLQ_SOURCE_OFFSET,
    DLQ_SOURCE_PARTITION,
    DLQ_SOURCE_TOPIC,
    BusRecord,
    EventHandler,
    RecordHandler,
)
from warden_common.codec import CodecError, from_kafka_record
from warden_common.settings import RetryPolicy
from warden_common.topics import dead_letter_topic

logger = logging.getLogger(__name__)

_DLQ_HEADER_PREFIX = "warden_dlq_"
_MAX_REASON_BYTES = 2000  # a reason is for people; a huge exception text must not blow the record size


class Outcome(enum.Enum):
    DELIVERED = "delivered"
    DEAD_LETTERED = "dead_lettered"


@functools.cache
def _counters() -> tuple[Counter, Counter, Counter]:
    # Created on first use, not at import, so importing the bus registers nothing.
    labels = ("topic", "group")
    return (
        Counter("warden_bus_delivered", "Records whose handler succeeded.", labels),
        Counter("warden_bus_retried", "Handler attempts that failed and were retried.", labels),
        Counter("warden_bus_dead_lettered", "Records sent to the dead-letter topic.", labels),
    )


def event_handler_as_record_handler(handler: EventHandler) -> RecordHandler:
    """Wrap an event handler; a decode failure raises `CodecError`, which `RecordDelivery` never retries."""

    async def handle(record: BusRecord) -> None:
        await handler(from_kafka_record(record.headers, record.value, record.key, defer=True))

    return handle


def dead_letter_record(record: BusRecord, *, group: str, reason: str, error_type: str, attempts: int) -> BusRecord:
    """The record to publish to the DLQ: original key, value and headers plus the `DLQ_*` headers.

    `DLQ_*` headers of an earlier dead-lettering (a re-driven record that failed again) are replaced, so each
    name appears once and describes the latest failure.
    """
    kept = tuple((name, value) for name, value in record.headers if not name.startswith(_DLQ_HEADER_PREFIX))
    added = (
        (DLQ_REASON, reason.encode()[:_MAX_REASON_BYTES]),
        (DLQ_ERROR_TYPE, error_type.encode()),
        (DLQ_ATTEMPTS, str(attempts).encode()),
        (DLQ_SOURCE_TOPIC, record.topic.encode()),
        (DLQ_SOURCE_PARTITION, str(record.partition).encode()),
        (DLQ_SOURCE_OFFSET, str(record.offset).encode()),
        (DLQ_GROUP, group.encode()),
    )
    return BusRecord(
        topic=dead_letter_topic(record.topic),
        partition=-1,
        offset=-1,
        key=record.key,
        value=record.value,
        headers=kept + added,
    )


def record_position(record: BusRecord) -> str:
    """`topic/partition@offset`, how logs and retry messages name a record."""
    return f"{record.topic}/{record.partition}@{record.offset}"


KeepGoing = Callable[[], bool]
"""Asked before each unit of a run: False once the subscription stops or loses the partition."""


class RunDelivery(Protocol):
    """What an adapter hands the records of one partition fetch to (one record or one batch at a time)."""

    async def deliver_run(self, records: Sequence[BusRecord], keep_going: KeepGoing) -> int:
        """Finish a prefix of `records` in order; return how many are finished (the adapter commits those)."""
        ...


class RecordDelivery:
    """Delivers records of one subscription (one topic, one group) to its handler."""

    def __init__(
        self,
        *,
        topic: str,
        group: str,
        handler: RecordHandler,
        retry: RetryPolicy,
        publish_record: Callable[[BusRecord], Awaitable[None]],
    ) -> None:
        self._group = group
        self._handler = handler
        self._retry = retry
        self._publish_record = publish_record
        delivered, retried, dead = _counters()
        self.delivered = delivered.labels(topic, group)
        self.retried = retried.labels(topic, group)
        self._dead_lettered = dead.labels(topic, group)

    @property
    def retry(self) -> RetryPolicy:
        return self._retry

    async def deliver_run(self, records: Sequence[BusRecord], keep_going: KeepGoing) -> int:
        finished = delivered = 0
        try:
            for record in records:
                if not keep_going():
                    break
                if await self.deliver(record) is Outcome.DELIVERED:
                    delivered += 1
                finished += 1
        finally:
            self.delivered.inc(delivered)  # once per run: a counter update per record costs ~1 us
        return finished

    async def deliver(self, record: BusRecord) -> Outcome:
        """Finish `record`: handled, or dead-lettered once the DLQ publish is acknowledged.

        The `delivered` counter is the caller's to update (`deliver_run` does it once per run).
        """
        try:
            await self._handler(record)  # the first attempt, without the retry machinery around it
        except CodecError as exc:
            # A decode error is a property of the bytes: every retry would fail the same way.
            return await self.dead_letter(record, exc, attempts=0)
        except Exception as first_failure:
            try:
                failure = await self.attempt(
                    lambda: self._handler(record), record_position(record), first_failure=first_failure
                )
            except CodecError as exc:
                return await self.dead_letter(record, exc, attempts=0)
            if failure is not None:
                return await self.dead_letter(record, failure, attempts=self._retry.max_attempts)
        return Outcome.DELIVERED

    async def attempt(
        self, call: Callable[[], Awaitable[object]], what: str, *, first_failure: Exception | None = None
    ) -> Exception | None:
        """Run `call` until it succeeds (None) or the policy's attempts are used up (the last error).

        `first_failure` is the error of an attempt the caller already made itself. A `CodecError` is raised at
        once: retrying cannot fix bytes that do not decode.
        """
        attempt, failure = (1, first_failure) if first_failure is not None else (0, None)
        while True:
            if failure is None:
                attempt += 1
                try:
                    await call()
                except CodecError:
                    raise
                except Exception as exc:
                    failure = exc
                else:
                    return None
            if attempt >= self._retry.max_attempts:
                return failure
            self.retried.inc()
            delay = self._retry.backoff(attempt)
            logger.warning(
                "handler failed on %s (attempt %d of %d), retrying in %.2fs: %r",
                what,
                attempt,
                self._retry.max_attempts,
                delay,
                failure,
            )
            failure = None
            await asyncio.sleep(delay)

    async def dead_letter(self, record: BusRecord, exc: Exception, *, attempts: int) -> Outcome:
        """Publish `record` to the dead-letter topic with `exc` as the reason; returns once it is acknowledged."""
        reason = str(exc) or type(exc).__name__
        letter = dead_letter_record(
            record, group=self._group, reason=reason, error_type=type(exc).__name__, attempts=attempts
        )
        logger.error(
            "dead-lettering %s/%d@%d to %s after %d attempt(s): %s",
            record.topic,
            record.partition,
            record.offset,
            letter.topic,
            attempts,
            reason,
        )
        await self._publish_until_acknowledged(letter)
        self._dead_lettered.inc()
        return Outcome.DEAD_LETTERED

    async def _publish_until_acknowledged(self, letter: BusRecord) -> None:
        # Committing past a record whose dead letter was not stored would lose it, so keep trying; a stop of
        # the subscription cancels this and leaves the record uncommitted (it is redelivered later).
        attempt = 0
        while True:
            attempt += 1
            try:
                await self._publish_record(letter)
                return
            except Exception:
                delay = self._retry.backoff(attempt)
                logger.exception("publishing dead letter to %s failed, retrying in %.2fs", letter.topic, delay)
                await asyncio.sleep(delay)
