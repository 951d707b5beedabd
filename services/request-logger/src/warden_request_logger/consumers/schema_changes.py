"""Model catalog and deployment events -> drop the cached prediction schemas, so the next lookup is fresh.

Every replica holds its own cache, so each subscribes in its own group (`request-logger-schemas-<instance>`).
"""

from __future__ import annotations

from warden_common import topics
from warden_common.bus.port import Bus, Subscription
from warden_common.codec import Event
from warden_request_logger.enrichment import SchemaLookup


class SchemaChangeConsumer:
    def __init__(self, schemas: SchemaLookup, bus: Bus, *, instance_id: str) -> None:
        self._schemas = schemas
        self._bus = bus
        self._group = f"request-logger-schemas-{instance_id}"

    async def handle(self, _event: Event) -> None:
        self._schemas.invalidate()

    async def start(self) -> list[Subscription]:
        return [
            await self._bus.subscribe(topic, group=self._group, handler=self.handle)
            for topic in (topics.MODELS, topics.DEPLOYMENTS)
        ]
