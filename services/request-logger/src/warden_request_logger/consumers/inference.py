"""Inference events and detector results from the bus -> the log store, a batch at a time.

One batch subscription per input topic in the `request-logger` group. The bus commits a batch only after the
handler returned, and the handler returns only once every document of the batch is stored (store outages are
waited out, not dead-lettered); events rejected for good go to the topic's dead-letter topic with the reason.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from warden_common.bus.port import Bus, Subscription
from warden_common.codec import Event
from warden_request_logger.service import RequestLoggerService

logger = logging.getLogger(__name__)


class InferenceConsumer:
    def __init__(self, service: RequestLoggerService, bus: Bus, *, group: str, max_batch: int) -> None:
        self._service = service
        self._bus = bus
        self._group = group
        self._max_batch = max_batch

    async def handle(self, events: Sequence[Event]) -> Mapping[int, Exception]:
        rejected = await self._service.ingest_until_stored(events)
        for position, reason in rejected.items():
            logger.warning("event %s rejected: %s", events[position].get_id(), reason)
        return rejected

    async def start(self, topics: Sequence[str]) -> list[Subscription]:
        subscriptions = []
        for topic in topics:
            subscription = await self._bus.subscribe_batch(
                topic, group=self._group, handler=self.handle, max_batch=self._max_batch
            )
            subscriptions.append(subscription)
            logger.debug("request logger consuming %s as %s", topic, self._group)
        return subscriptions
