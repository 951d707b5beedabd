"""Reads deployment lifecycle events (topic `warden.deployments`) into the runtime metadata table."""

from __future__ import annotations

import logging

from warden_common import topics
from warden_common.bus.port import Bus, Subscription
from warden_common.codec import Event
from warden_common.events import (
    DEPLOYMENT_CREATED,
    DEPLOYMENT_DELETED,
    DEPLOYMENT_STATUS_CHANGED,
    DEPLOYMENT_UPDATED,
    decode_data,
)
from warden_metadata.service import MetadataService

logger = logging.getLogger(__name__)

HANDLED = frozenset({DEPLOYMENT_CREATED, DEPLOYMENT_UPDATED, DEPLOYMENT_DELETED, DEPLOYMENT_STATUS_CHANGED})


class DeploymentEventsConsumer:
    """One consumer-group member; the bus retries a failing event and dead-letters it after the last attempt."""

    def __init__(self, service: MetadataService, bus: Bus, group: str) -> None:
        self._service = service
        self._bus = bus
        self._group = group

    async def handle(self, event: Event) -> None:
        if event.get_type() not in HANDLED:
            logger.debug("ignoring %s on %s", event.get_type(), topics.DEPLOYMENTS)
            return
        # A payload that does not decode raises here: the bus retries, then dead-letters it with the reason.
        await self._service.apply_deployment_event(decode_data(event))

    async def start(self) -> Subscription:
        return await self._bus.subscribe(topics.DEPLOYMENTS, group=self._group, handler=self.handle)
