"""The request logger's core, transport-free: events in (from the bus or HTTP), documents stored, searches out.

`ingest` is what both inputs call. It returns the events it rejects for good with the reason (unknown type,
a payload that is not what its protocol allows, a document the store refuses); everything else is stored
before it returns. A store that is away raises `LogStoreUnavailable`: nothing may be assumed stored, and the
caller retries (writes are idempotent upserts, so a retry never duplicates).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from warden_common.codec import Event
from warden_common.errors import ServiceUnavailable
from warden_common.logstore import DeploymentLife, LogPage, LogQuery, LogStore, LogStoreUnavailable, LogWrite
from warden_common.logstore.distributions import DistributionQuery, DistributionResult
from warden_common.logstore.lingering import LingeringWriter
from warden_common.payloads import PayloadShapeError
from warden_common.settings import RetryPolicy
from warden_request_logger.documents import DocumentBuilder, EventContext
from warden_request_logger.enrichment import CacheKey as SchemaKey
from warden_request_logger.enrichment import SchemaLookup
from warden_request_logger.kinds import IGNORED_TYPES, NotAnInferenceEvent
from warden_request_logger.lag import observe_lag
from warden_request_logger.lives import CurrentLives
from warden_request_logger.schema import PredictionSchema

logger = logging.getLogger(__name__)

_OUTAGE_BACKOFF = RetryPolicy(max_attempts=1_000_000, initial_backoff_s=0.5, max_backoff_s=10.0, multiplier=2.0)


_SCHEMA_PARTS = frozenset({"request", "response", "feedback"})
"""Parts whose instances the prediction schema names."""


class EventRejected(ValueError):
    """An event the logger cannot store, ever; the message says why."""


class RequestLoggerService:
    def __init__(
        self,
        store: LogStore,
        builder: DocumentBuilder,
        schemas: SchemaLookup | None,
        lives: CurrentLives | None = None,
        *,
        writer: LingeringWriter | None = None,
        store_name: str = "store",
    ) -> None:
        """`lives` None: the logger cannot ask which deployment holds a name now, so searches show every life.

        `writer`: gathers the writes of concurrent batches (size or linger); None writes each batch on its own.
        `store_name` labels the lag histogram.
        """
        self.store = store
        self._builder = builder
        self._schemas = schemas
        self._lives = lives
        self._write = writer.write if writer is not None else store.write
        self._store_name = store_name

    async def ingest(self, events: Sequence[Event]) -> dict[int, Exception]:
        """Store `events`; return position -> why for the ones rejected for good."""
        consumed = time.monotonic()
        rejected: dict[int, Exception] = {}
        writes: list[LogWrite] = []
        owners: list[int] = []
        times: list[datetime] = []
        schemas: dict[SchemaKey, PredictionSchema | None] = {}  # this batch's, looked up once each
        for position, event in enumerate(events):
            try:
                context = self._context_of(event)
                if context is None:
                    continue
                schema = None
                if self._schemas is not None and context.part in _SCHEMA_PARTS:
                    key = (context.ref.namespace, context.ref.deployment, context.endpoint, context.model_id or "")
                    if key in schemas:
                        schema = schemas[key]
                    else:
                        # One after the other: a miss is looked up once per key, later events of it wait.
                        schema = schemas[key] = await self._schemas.schema_for(*key)
                outcome = self._build(event, context, schema)
            except EventRejected as exc:
                rejected[position] = exc
                continue
            writes.extend(outcome)
            owners.extend([position] * len(outcome))
            when = event.get_time()  # already read (and kept) by the context
            if when is not None and when.tzinfo is not None:
                times.append(when)
        if writes:
            built = time.monotonic()
            for item in await self._write(writes):
                owner = owners[item.position]
                reason = f"the log store refused a document of this event: {item.reason}"
                rejected.setdefault(owner, EventRejected(reason))
            self._observe(times, consumed, built, len(events))
        return rejected

    def _observe(self, times: list[datetime], consumed: float, built: float, count: int) -> None:
        """The lag histogram, and (debug) where a batch's time went: bus, build, store (linger + write)."""
        stored_at = datetime.now(UTC)
        worst = observe_lag(self._store_name, times, stored_at)
        if times and logger.isEnabledFor(logging.DEBUG):
            stored = time.monotonic()
            oldest_at_consume = worst - (stored - consumed)
            logger.debug("batch of %d: oldest event %.3fs old when consumed, build %.3fs, store %.3fs, worst lag "
                         "%.3fs", count, oldest_at_consume, built - consumed, stored - built, worst)  # fmt: skip

    async def ingest_until_stored(self, events: Sequence[Event]) -> Mapping[int, Exception]:
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

    @staticmethod
    def _context_of(event: Event) -> EventContext | None:
        """What the event's documents share; None for an event that is acknowledged but not stored."""
        if event.get_type() in IGNORED_TYPES:
            return None
        try:
            return EventContext.of(event)
        except NotAnInferenceEvent as exc:
            raise EventRejected(str(exc)) from exc

    def _build(self, event: Event, context: EventContext, schema: PredictionSchema | None) -> list[LogWrite]:
        try:
            return self._builder.build(event, context, schema)
        except (PayloadShapeError, ValueError, TypeError, KeyError, AttributeError) as exc:
            raise EventRejected(f"{event.get_type()} {context.request_id}: payload cannot be parsed: {exc}") from exc

    async def search(self, query: LogQuery) -> LogPage:
        return await self.store.search(query)

    async def distribution(self, query: DistributionQuery) -> DistributionResult:
        return await self.store.distribution(query)

    async def life_to_search(
        self, namespace: str | None, name: str | None, *, uid: str | None, all_lives: bool,
        authorization: str | None = None,
    ) -> DeploymentLife | None:  # fmt: skip
        """Which life of a deployment name a search shows (None: every one).

        `all_lives`: every one. `uid`: the deployment with that uid (and, when that is the current one, what
        external executors logged since it was created). Otherwise, when a deployment is named, the current
        deployment of that name; every life when no deployment holds the name now.
        """
        if all_lives:
            return None
        if namespace is None or name is None or self._lives is None:
            return DeploymentLife(uid) if uid is not None else None
        if uid is None:
            return await self._lives.current(namespace, name, authorization=authorization)
        try:
            current = await self._lives.current(namespace, name, authorization=authorization)
        except ServiceUnavailable:
            current = None  # the uid alone still says which documents belong to that life
        return current if current is not None and current.uid == uid else DeploymentLife(uid)

    async def prediction_schema(self, namespace: str, name: str, endpoint: str, node: str) -> PredictionSchema | None:
        """The running deployment's prediction schema (None: none registered, or the metadata service is away)."""
        if self._schemas is None:
            return None
        return await self._schemas.schema_for(namespace, name, endpoint, node)

    def schema_changed(self, _event: Any = None) -> None:
        if self._schemas is not None:
            self._schemas.invalidate()
