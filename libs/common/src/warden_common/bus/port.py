"""The bus port: what every adapter promises.

Semantics (the behavioural suite in libs/common/tests/integration/bus/ holds both adapters to them):
- `publish` returns only once the event is durable (Kafka: acked by all in-sync replicas; standalone:
  committed to PostgreSQL). Events with the same key keep their order.
- `subscribe` delivers at least once to one member of each consumer group. A record's offset is committed
  only after its handler returned. A handler that raises is retried with backoff (`RetryPolicy`); after the
  last attempt the raw record goes to `dead_letter_topic(topic)` with the reason in its headers, and later
  records keep flowing. A record that is not a valid CloudEvent is dead-lettered at once (retrying cannot help).
- Handlers get events whose envelope (required attributes, names) is checked; `time` and the data are decoded
  when first read (`warden_common.codec.ReceivedEvent`). A handler that reads a malformed part gets the codec's
  `CodecError`; that record, too, is dead-lettered at once with the reason.
- Members of one group split the topic's partitions; when a member dies its partitions move to the others.
- A group that has never committed on a partition starts at its earliest record.
- `subscribe_batch` keeps all of the above, with the batch as the unit of handling and of committing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import NamedTuple, Protocol, runtime_checkable

from warden_common.codec.event import Event

EventHandler = Callable[[Event], Awaitable[None]]
"""Called once per delivered event; raising means 'not processed', so the event is retried."""

RecordHandler = Callable[["BusRecord"], Awaitable[None]]
"""Like `EventHandler` for raw records (reading dead letters, which need not be valid CloudEvents)."""

BatchHandler = Callable[[Sequence[Event]], Awaitable[Mapping[int, Exception] | None]]
"""Called with the decoded events of one batch (one partition, in offset order).

Returning normally means every event is finished; the returned mapping (position in the batch -> why) names
events the handler rejects for good, which are dead-lettered with that reason. Raising means 'batch not
processed': it is retried whole, and after the last attempt its events are delivered one at a time so only
the ones that still fail are dead-lettered.
"""

# Headers added to a dead-lettered record (the original headers and value are kept unchanged).
DLQ_REASON = "warden_dlq_reason"
DLQ_ERROR_TYPE = "warden_dlq_error_type"
DLQ_ATTEMPTS = "warden_dlq_attempts"
DLQ_SOURCE_TOPIC = "warden_dlq_topic"
DLQ_SOURCE_PARTITION = "warden_dlq_partition"
DLQ_SOURCE_OFFSET = "warden_dlq_offset"
DLQ_GROUP = "warden_dlq_group"


class BusRecord(NamedTuple):
    """A record as stored on the bus: Kafka binary-mode CloudEvent headers plus the raw value.

    A named tuple rather than a frozen dataclass: one is built per consumed record, and a frozen dataclass costs
    ~3 us to construct against ~0.8 us for this (the consumer's whole per-record budget is a few microseconds).
    """

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...] = ()


@runtime_checkable
class Subscription(Protocol):
    """A running consumer-group member; `stop` leaves the group after the in-flight record."""

    async def stop(self) -> None: ...


@runtime_checkable
class Bus(Protocol):
    """Publish CloudEvents to topics and consume them in consumer groups."""

    async def start(self) -> None:
        """Connect (and create the storage it needs). Call once before anything else."""
        ...

    async def close(self) -> None:
        """Stop every subscription, flush, disconnect."""
        ...

    async def ready(self) -> bool:
        """True while the bus can accept a publish (used by /health/ready)."""
        ...

    async def publish(self, event: Event, *, topic: str, key: str | bytes | None = None) -> None:
        """Durably append `event` to `topic`; same-key events stay in order."""
        ...

    async def publish_record(self, record: BusRecord) -> None:
        """Append a raw record (dead-lettering, re-driving dead letters) to `record.topic`.

        `record.partition` and `record.offset` are ignored: the partition follows from the key as in `publish`.
        """
        ...

    async def subscribe(self, topic: str, *, group: str, handler: EventHandler) -> Subscription:
        """Join `group` on `topic` and deliver its events to `handler` in the background."""
        ...

    async def subscribe_records(self, topic: str, *, group: str, handler: RecordHandler) -> Subscription:
        """Like `subscribe`, but hand over raw records without decoding them (e.g. to read a DLQ topic)."""
        ...

    async def subscribe_batch(
        self, topic: str, *, group: str, handler: BatchHandler, max_batch: int = 500
    ) -> Subscription:
        """Like `subscribe`, but hand over up to `max_batch` events at once (see `BatchHandler`).

        Batches are what the adapter fetched in one go (no added waiting); offsets are committed only after the
        handler finished the whole batch. Records that are not CloudEvents are dead-lettered one by one and left
        out of the batch.
        """
        ...
