"""What both bus adapters share: the public publish/subscribe surface over two adapter-specific primitives.

An adapter appends raw records (`_append`) and joins a consumer group with a delivery strategy (`_join`);
turning events into records and handlers into deliveries is the same for Kafka and PostgreSQL.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from warden_common.bus.batch_delivery import BatchDelivery
from warden_common.bus.delivery import RecordDelivery, RunDelivery, event_handler_as_record_handler
from warden_common.bus.port import BatchHandler, BusRecord, EventHandler, RecordHandler, Subscription
from warden_common.codec import Event, to_kafka_record
from warden_common.settings import BusSettings

Headers = tuple[tuple[str, bytes], ...]


class BusAdapter(ABC):
    """Implements `Bus.publish*` and `Bus.subscribe*`; subclasses provide storage and group membership."""

    _settings: BusSettings
    record_fetch_size: int = 500
    """Records fetched per round for record-at-a-time subscriptions."""

    @abstractmethod
    async def _append(self, topic: str, key: bytes | None, headers: Headers, value: bytes) -> None:
        """Durably append one raw record (returns once it would survive a crash)."""

    @abstractmethod
    async def _join(self, topic: str, group: str, delivery: RunDelivery, *, fetch_size: int) -> Subscription:
        """Join `group` on `topic`, feeding fetched runs of records to `delivery`."""

    def _batch_fetch_size(self, max_batch: int) -> int:
        return max_batch

    async def publish(self, event: Event, *, topic: str, key: str | bytes | None = None) -> None:
        raw_key, headers, value = to_kafka_record(event, key)
        await self._append(topic, raw_key, headers, value)

    async def publish_record(self, record: BusRecord) -> None:
        await self._append(record.topic, record.key, record.headers, record.value)

    async def subscribe(self, topic: str, *, group: str, handler: EventHandler) -> Subscription:
        return await self.subscribe_records(topic, group=group, handler=event_handler_as_record_handler(handler))

    async def subscribe_records(self, topic: str, *, group: str, handler: RecordHandler) -> Subscription:
        delivery = RecordDelivery(
            topic=topic, group=group, handler=handler, retry=self._settings.retry, publish_record=self.publish_record
        )
        return await self._join(topic, group, delivery, fetch_size=self.record_fetch_size)

    async def subscribe_batch(
        self, topic: str, *, group: str, handler: BatchHandler, max_batch: int = 500
    ) -> Subscription:
        delivery = BatchDelivery(
            topic=topic, group=group, handler=handler, retry=self._settings.retry,
            publish_record=self.publish_record, max_batch=max_batch,
        )  # fmt: skip
        return await self._join(topic, group, delivery, fetch_size=self._batch_fetch_size(max_batch))
