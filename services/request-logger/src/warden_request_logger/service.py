"""The request logger's core, transport-free: events in (from the bus or HTTP), documents stored, searches out.

`ingest` is what both inputs call. It returns the events it rejects for good with the reason (unknown type,
a payload that is not what its protocol allows, a document the store refuses); everything else is stored
before it returns. A store that is away raises `LogStoreUnavailable`: nothing may be assumed stored, and the
caller retries (writes are idempotent upserts, so a retry never duplicates).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from cloudevents.core.v1.event import CloudEvent

from warden_common.logstore import LogPage, LogQuery, LogStore, LogStoreUnavailable, LogWrite
from warden_common.settings import RetryPolicy
from warden_request_logger.documents import DocumentBuilder, EventContext
from warden_request_logger.enrichment import SchemaLookup
from warden_request_logger.parsing import PayloadShapeError
from warden_request_logger.parsing.kinds import IGNORED_TYPES, NotAnInferenceEvent

logger = logging.getLogger(__name__)

_OUTAGE_BACKOFF = RetryPolicy(max_attempts=1_000_000, initial_backoff_s=0.5, max_backoff_s=10.0, multiplier=2.0)


class EventRejected(ValueError):
    """An event the logger cannot store, ever; the message says why."""


class RequestLoggerService:
    def __init__(self, store: LogStore, builder: DocumentBuilder, schemas: SchemaLookup | None) -> None:
        self.store = store
        self._builder = builder
        self._schemas = schemas

    async def ingest(self, events: Sequence[CloudEvent]) -> dict[int, Exception]:
        """Store `events`; return position -> why for the ones rejected for good."""
        rejected: dict[int, Exception] = {}
        writes: list[LogWrite] = []
        owners: list[int] = []
        for position, event in enumerate(events):
            # One after the other: a cached schema costs no suspension, and a miss is looked up once per key.
            try:
                outcome = await self._writes_of(event)
            except EventRejected as exc:
                rejected[position] = exc
                continue
            writes.extend(outcome)
            owners.extend([position] * len(outcome))
        if writes:
            for item in await self.store.write(writes):
                owner = owners[item.position]
                reason = f"the log store refused a document of this event: {item.reason}"
                rejected.setdefault(owner, EventRejected(reason))
        return rejected

    async def ingest_until_stored(self, events: Sequence[CloudEvent]) -> Mapping[int, Exception]:
        """`ingest`, waiting out store outages however long they last (a bus consumer never drops for those)."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self.ingest(events)
            except LogStoreUnavailable as exc:
                delay = _OUTAGE_BACKOFF.backoff(attempt)
                logger.warning("log store unavailable (%s); retrying %d event(s) in %.1fs", exc, len(events), delay)
                await asyncio.sleep(delay)

    async def _writes_of(self, event: CloudEvent) -> list[LogWrite]:
        if event.get_type() in IGNORED_TYPES:
            return []
        try:
            context = EventContext.of(event)
        except NotAnInferenceEvent as exc:
            raise EventRejected(str(exc)) from exc
        schema = None
        if self._schemas is not None and context.part in ("request", "response", "feedback"):
            schema = await self._schemas.schema_for(
                context.ref.namespace, context.ref.deployment, context.endpoint, context.model_id or ""
            )
        try:
            return self._builder.build(event, context, schema)
        except (PayloadShapeError, ValueError, TypeError, KeyError, AttributeError) as exc:
            raise EventRejected(f"{event.get_type()} {context.request_id}: payload cannot be parsed: {exc}") from exc

    async def search(self, query: LogQuery) -> LogPage:
        return await self.store.search(query)

    def schema_changed(self, _event: Any = None) -> None:
        if self._schemas is not None:
            self._schemas.invalidate()
