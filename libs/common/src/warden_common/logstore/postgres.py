"""`PostgresLogStore`: the request log in PostgreSQL JSONB (standalone mode).

One batched upsert per table per `write` (parts of one document within a batch are merged first, since one
statement may not touch a row twice). A value PostgreSQL refuses (e.g. `\\u0000` in a JSON string) fails the
statement; the batch is then written item by item so only the offending items are rejected. Connection
trouble is retried until `max_retry_s`, then raised as `LogStoreUnavailable`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

import asyncpg

from warden_common.db import prepare_schema
from warden_common.db.pool import open_pool
from warden_common.logstore import document as doc
from warden_common.logstore import postgres_distributions, postgres_json, postgres_searchable, postgres_slots
from warden_common.logstore import postgres_sql as sql
from warden_common.logstore.distributions import DistributionQuery, DistributionResult
from warden_common.logstore.migrations import SERVICE, migrations
from warden_common.logstore.paging import encode_token
from warden_common.logstore.port import (
    DeploymentRef,
    InstanceWrite,
    ItemRejected,
    LogHit,
    LogPage,
    LogQuery,
    LogStoreUnavailable,
    LogWrite,
    PayloadWrite,
)
from warden_common.settings import RetryPolicy

logger = logging.getLogger(__name__)

_CONNECTION_ERRORS = (OSError, asyncpg.InterfaceError, asyncpg.CannotConnectNowError, TimeoutError,
                      asyncpg.ConnectionDoesNotExistError)  # fmt: skip
_BACKOFF = RetryPolicy(max_attempts=1000, initial_backoff_s=0.2, max_backoff_s=5.0, multiplier=2.0)


class PostgresLogStore:
    """The `LogStore` port on PostgreSQL (asyncpg)."""

    def __init__(self, dsn: str, *, pool_size: int = 5, max_retry_s: float = 30.0, migrate: bool = True) -> None:
        self._dsn = dsn
        self._pool_size = pool_size
        self._max_retry_s = max_retry_s
        self._migrate = migrate
        self._pool: asyncpg.Pool | None = None
        self._pool_scope: contextlib.AbstractAsyncContextManager[asyncpg.Pool] | None = None
        self._slots = postgres_slots.SlotRegistry()

    async def start(self) -> None:
        """Migrate (`migrate=True`, standalone) or insist the schema is current (distributed: `warden migrate`)."""
        await prepare_schema(self._dsn, SERVICE, migrations(), migrate=self._migrate)
        self._pool_scope = open_pool(self._dsn, min_size=1, max_size=self._pool_size, application_name="warden-logs",
                                     jsonb_dumps=postgres_json.dumps)  # fmt: skip
        self._pool = await self._pool_scope.__aenter__()

    async def close(self) -> None:
        if self._pool_scope is not None:
            await self._pool_scope.__aexit__(None, None, None)
        self._pool, self._pool_scope = None, None

    async def ready(self) -> bool:
        try:
            return bool(await asyncio.wait_for(self._require_pool().fetchval("SELECT true"), timeout=2.0))
        except (*_CONNECTION_ERRORS, asyncpg.PostgresError, RuntimeError):
            return False

    async def refresh(self) -> None:
        return  # a committed row is visible at once

    def _require_pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("PostgresLogStore.start() was not called")
        return self._pool

    # -- writing --

    async def write(self, items: Sequence[LogWrite]) -> list[ItemRejected]:
        deadline = time.monotonic() + self._max_retry_s
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._write_once(items)
            except _CONNECTION_ERRORS as exc:
                delay = _BACKOFF.backoff(attempt)
                if time.monotonic() + delay > deadline:
                    raise LogStoreUnavailable(f"PostgreSQL log store unreachable: {exc!r}") from exc
                logger.warning("PostgreSQL log store write failed (attempt %d): %r", attempt, exc)
                await asyncio.sleep(delay)

    async def _write_once(self, items: Sequence[LogWrite]) -> list[ItemRejected]:
        async with self._require_pool().acquire() as conn:
            try:
                async with conn.transaction():
                    slots = await _upsert(conn, self._slots, list(enumerate(items)))
                self._slots.keep(slots)
                return []
            except (asyncpg.DataError, asyncpg.IntegrityConstraintViolationError, ValueError) as exc:
                if len(items) == 1:
                    return [ItemRejected(0, f"PostgreSQL refused the document: {exc}", 400)]
            rejected: list[ItemRejected] = []
            for position, item in enumerate(items):  # find the items PostgreSQL refuses; store the rest
                try:
                    async with conn.transaction():
                        slots = await _upsert(conn, self._slots, [(position, item)])
                    self._slots.keep(slots)
                except (asyncpg.DataError, asyncpg.IntegrityConstraintViolationError, ValueError) as exc:
                    rejected.append(ItemRejected(position, f"PostgreSQL refused the document: {exc}", 400))
            return rejected

    # -- searching --

    async def search(self, query: LogQuery) -> LogPage:
        where = sql.where_for(query)
        total_sql = f"SELECT count(*) FROM warden_logs.instances WHERE {where.sql()}"
        filter_params = len(where.params)  # the count ignores paging
        sql.page_condition(where, query)
        limit = where.param(query.page_size)
        rows_sql = (
            f"SELECT namespace, deployment, doc_id, {sql.SORT_TS} AS sort_ts, doc FROM warden_logs.instances "
            f"WHERE {where.sql()} ORDER BY {sql.order_by(query)} LIMIT {limit}"
        )
        async with self._connection() as conn:
            total = await conn.fetchval(total_sql, *where.params[:filter_params])
            rows = await conn.fetch(rows_sql, *where.params)
            hits = [LogHit(DeploymentRef(r["namespace"], r["deployment"]), r["doc_id"], r["doc"]) for r in rows]
            payloads = await _payloads_of(conn, hits)
        hits = [LogHit(h.ref, h.doc_id, h.document, payloads.get((h.ref, str(h.document.get(doc.REQUEST_ID))), {}))
                for h in hits]  # fmt: skip
        token = None
        if rows and len(rows) == query.page_size:
            last = rows[-1]
            token = encode_token([last["sort_ts"].isoformat(), last["namespace"], last["deployment"], last["doc_id"]])
        return LogPage(hits=hits, total=int(total), next_page_token=token)

    async def distribution(self, query: DistributionQuery) -> DistributionResult:
        async with self._connection() as conn:
            return await postgres_distributions.distribution(conn, query)

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[asyncpg.Connection]:
        try:
            async with self._require_pool().acquire() as conn:
                yield conn
        except _CONNECTION_ERRORS as exc:
            raise LogStoreUnavailable(f"PostgreSQL log store unreachable: {exc!r}") from exc


async def _upsert(conn: asyncpg.Connection, registry: postgres_slots.SlotRegistry, items: list[tuple[int, LogWrite]]
                  ) -> dict[postgres_slots.Key, dict[str, dict[postgres_slots.Path, int]]]:  # fmt: skip
    """Write `items` in `conn`'s transaction; the element slots it used (to `keep` once committed)."""
    instances: dict[tuple[str, str, str], dict[str, Any]] = {}
    values: dict[tuple[str, str, str], dict[str, postgres_searchable.Scalars]] = {}
    payloads: dict[tuple[str, str, str, str], PayloadWrite] = {}
    for _, item in items:
        if isinstance(item, InstanceWrite):
            key = (item.ref.namespace, item.ref.deployment, item.doc_id)
            fields, scalars = postgres_searchable.searchable_fields(item.fields)
            # Later parts of the same document in this batch win, like the upsert (and so do their scalars).
            merged = instances.setdefault(key, {})
            merged.update(fields)
            merged.update({doc.DOC_ID: item.doc_id, doc.NAMESPACE: item.ref.namespace,
                           doc.DEPLOYMENT: item.ref.deployment})  # fmt: skip
            values.setdefault(key, {}).update(scalars)
        else:
            payloads[(item.ref.namespace, item.ref.deployment, item.request_id, item.part)] = item
    slots: dict[postgres_slots.Key, dict[str, dict[postgres_slots.Path, int]]] = {}
    if instances:
        wanted: dict[postgres_slots.Key, dict[str, set[postgres_slots.Path]]] = {}
        for (namespace, deployment, _), parts in values.items():
            for part, found in parts.items():
                wanted.setdefault((namespace, deployment), {}).setdefault(part, set()).update(found)
        slots = await registry.resolve(conn, wanted)
        columns: list[list[Any]] = [[] for _ in range(13)]
        for (namespace, deployment, doc_id), fields in instances.items():
            outlier = fields.get("outlier")
            row: list[Any] = [
                namespace, deployment, doc_id, str(fields.get(doc.REQUEST_ID, "")), fields.get(doc.ENDPOINT),
                _timestamp(fields.get(doc.TIMESTAMP)),
                outlier.get(doc.IS_OUTLIER) if isinstance(outlier, dict) else None, postgres_json.dumps(fields),
                fields.get(doc.DEPLOYMENT_UID),
            ]  # fmt: skip
            for part in postgres_slots.PARTS:
                found = values[(namespace, deployment, doc_id)].get(part, {})
                row.extend(postgres_slots.arrays(found, slots.get((namespace, deployment), {}).get(part, {})))
            for column, value in zip(columns, row, strict=True):
                column.append(value)
        await conn.execute(sql.UPSERT_INSTANCES, *columns)
    if payloads:
        rows = [(p.ref.namespace, p.ref.deployment, p.request_id, p.part, p.content_type, p.size_bytes,
                 None if p.payload is None else postgres_json.dumps(p.payload), p.rejected_reason)
                for p in payloads.values()]  # fmt: skip
        await conn.execute(sql.UPSERT_PAYLOADS, *(list(column) for column in zip(*rows, strict=True)))
    return slots


def _timestamp(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


async def _payloads_of(conn: asyncpg.Connection, hits: list[LogHit]) -> dict[tuple[DeploymentRef, str], dict[str, Any]]:
    keys = {(h.ref.namespace, h.ref.deployment, str(h.document.get(doc.REQUEST_ID))) for h in hits}
    if not keys:
        return {}
    namespaces, deployments, request_ids = (list(c) for c in zip(*keys, strict=True))
    found: dict[tuple[DeploymentRef, str], dict[str, Any]] = {}
    for row in await conn.fetch(sql.SELECT_PAYLOADS, namespaces, deployments, request_ids):
        found.setdefault((DeploymentRef(row["namespace"], row["deployment"]), row["request_id"]), {})[row["part"]] = {
            "payload": row["payload"],
            "contentType": row["content_type"],
            "sizeBytes": row["size_bytes"],
            "rejectedReason": row["rejected_reason"],
        }
    return found
