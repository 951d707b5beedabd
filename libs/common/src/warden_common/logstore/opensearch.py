"""`OpenSearchLogStore`: the request log on OpenSearch (opensearch-py, async).

- Index templates (explicit mappings, `opensearch_mapping`) are put at start, and again before the first write
  if OpenSearch was away at start. Indices are created by the first write to a deployment, from the template.
- Writes are bulk requests that never force a refresh: `create` first, an upsert for documents that exist
  (`opensearch_bulk`). Documents become searchable at the next refresh (`refresh_interval` of the index
  template); with `wait_for_refresh` a bulk request returns only then (`refresh=wait_for`), so a caller that
  commits after the write (the bus consumer) knows its documents are searchable, at no extra refresh.
  Per-item results: 429 / 5xx / leftover version conflicts are retried with backoff; other 4xx (mapping
  conflicts, documents the store refuses) are returned as `ItemRejected` with OpenSearch's reason.
- A connection failure or a 429/5xx for the whole request is retried until `max_retry_s`, then raised as
  `LogStoreUnavailable`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import Any

import orjson
from opensearchpy import AsyncOpenSearch
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.exceptions import TransportError
from opensearchpy.serializer import JSONSerializer

from warden_common.errors import BadRequest
from warden_common.logstore import opensearch_bulk as bulk
from warden_common.logstore import opensearch_distributions as distributions
from warden_common.logstore.distributions import DistributionQuery, DistributionResult
from warden_common.logstore.naming import INSTANCES, PAYLOADS, index_family, index_pattern
from warden_common.logstore.opensearch_mapping import add_new_fields, index_templates
from warden_common.logstore.opensearch_query import search_body
from warden_common.logstore.opensearch_search import fetch_payloads, to_page
from warden_common.logstore.port import InstanceWrite, ItemRejected, LogPage, LogQuery, LogStoreUnavailable, LogWrite
from warden_common.settings import RetryPolicy

logger = logging.getLogger(__name__)

_SEARCH_SETTLE_S = 3.0
"""How long a search waits out 503s (a deployment's index being created) before answering unavailable."""

DEFAULT_BACKOFF = RetryPolicy(max_attempts=1000, initial_backoff_s=0.2, max_backoff_s=5.0, multiplier=2.0)


class _OrjsonAnswers(JSONSerializer):
    """Reads bulk answers with orjson: with the library's `json`, reading their per-item statuses was a twentieth
    of the logger's CPU. Only those: orjson reads an integer wider than 64 bits as a float, and a bulk answer
    (filtered to `bulk.RESPONSE_FILTER`) holds statuses and error texts only. Everything else, and request
    bodies, go through the library as before."""

    def loads(self, s: str) -> Any:
        if s.startswith(_BULK_ANSWER):
            try:
                return orjson.loads(s)
            except orjson.JSONDecodeError:
                pass
        return super().loads(s)


_BULK_ANSWER = '{"errors":'


class _ChunkRefused(Exception):
    """OpenSearch refused a whole bulk request with a status retrying cannot change (e.g. 413)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


class OpenSearchLogStore:
    """The `LogStore` port on OpenSearch."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "warden-",
        shards: int = 1,
        replicas: int = 0,
        refresh_interval: str = "250ms",
        wait_for_refresh: bool = False,
        max_bulk_bytes: int = 8 * 1024 * 1024,
        max_bulk_docs: int = 500,
        max_concurrent_bulks: int = 2,
        max_retry_s: float = 30.0,
        timeout_s: float = 30.0,
        backoff: RetryPolicy = DEFAULT_BACKOFF,
    ) -> None:
        self._url = url
        self._prefix = prefix
        self._template_settings = {"shards": shards, "replicas": replicas, "refresh_interval": refresh_interval}
        self._bulk_params = {"refresh": "wait_for"} if wait_for_refresh else {}
        self._max_bulk_bytes = max_bulk_bytes
        self._max_bulk_docs = max_bulk_docs
        self._max_concurrent_bulks = max_concurrent_bulks
        self._max_retry_s = max_retry_s
        self._timeout_s = timeout_s
        self._backoff = backoff
        self._client: AsyncOpenSearch | None = None
        self._templates_ready = False
        self._template_lock = asyncio.Lock()

    @property
    def prefix(self) -> str:
        return self._prefix

    @property
    def client(self) -> AsyncOpenSearch:
        if self._client is None:
            raise RuntimeError("OpenSearchLogStore.start() was not called")
        return self._client

    async def start(self) -> None:
        self._client = AsyncOpenSearch(
            hosts=[self._url], timeout=self._timeout_s, http_compress=False, serializer=_OrjsonAnswers()
        )
        try:
            await self._ensure_templates()
        except LogStoreUnavailable:
            logger.warning(
                "OpenSearch at %s not reachable at start; templates will be put before the first write", self._url
            )

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    async def ready(self) -> bool:
        try:
            return bool(await asyncio.wait_for(self.client.ping(), timeout=2.0))
        except (TransportError, TimeoutError, RuntimeError):
            return False

    async def refresh(self) -> None:
        await self.client.indices.refresh(
            index=f"{index_family(self._prefix, INSTANCES)}.*,{index_family(self._prefix, PAYLOADS)}.*",
            allow_no_indices=True,
            ignore_unavailable=True,
        )

    # -- writing --

    async def write(self, items: Sequence[LogWrite]) -> list[ItemRejected]:
        await self._ensure_templates()
        groups = bulk.coalesce(items)  # parts of one document in this batch become one write
        merged = [item for item, _ in groups]
        rejected: list[ItemRejected] = []
        lines: dict[int, bytes] = {}
        # Bulk requests of up to `max_bulk_docs` go out while the next ones are encoded, up to
        # `max_concurrent_bulks` at once: the logger's CPU and OpenSearch's indexing overlap.
        limit = asyncio.Semaphore(self._max_concurrent_bulks)
        sending: list[asyncio.Task[list[ItemRejected]]] = []
        try:
            for first in range(0, len(groups), self._max_bulk_docs):
                encoded: list[tuple[int, bytes]] = []
                for group in range(first, min(first + self._max_bulk_docs, len(groups))):
                    try:
                        lines[group] = bulk.create_lines(self._prefix, merged[group])
                    except ValueError as exc:  # e.g. NaN somewhere in a payload: the item can never be stored
                        rejected.append(ItemRejected(group, f"document is not valid JSON: {exc}", 400))
                    else:
                        encoded.append((group, lines[group]))
                for chunk in bulk.chunks(encoded, self._max_bulk_bytes):
                    await limit.acquire()
                    sending.append(asyncio.create_task(self._send_limited(limit, chunk, lines, merged)))
            for refused in await asyncio.gather(*sending):
                rejected.extend(refused)
        except BaseException:
            for task in sending:
                task.cancel()
            await asyncio.gather(*sending, return_exceptions=True)
            raise
        # Report against the caller's positions: a refused merged document refuses every part merged into it.
        return sorted(
            (ItemRejected(position, r.reason, r.status) for r in rejected for position in groups[r.position][1]),
            key=lambda r: r.position,
        )

    async def _send_limited(
        self, limit: asyncio.Semaphore, chunk: bulk.BulkChunk, lines: dict[int, bytes], items: list[LogWrite]
    ) -> list[ItemRejected]:
        try:
            return await self._send_chunk(chunk, lines, items)
        finally:
            limit.release()

    async def _send_chunk(
        self, chunk: bulk.BulkChunk, lines: dict[int, bytes], items: list[LogWrite]
    ) -> list[ItemRejected]:
        """Send one bulk body; re-send the items that exist already as upserts at once, and those that failed
        transiently after a pause, until none is left."""
        deadline = time.monotonic() + self._max_retry_s
        pending, body = chunk.positions, chunk.body
        rejected: list[ItemRejected] = []
        attempt = 0
        while True:
            attempt += 1
            try:
                answer = await self._bulk(body, attempt)
            except _ChunkRefused as refused:
                return rejected + [ItemRejected(p, refused.reason, refused.status) for p in pending]
            transient = answer is None
            if answer is not None:
                if not answer.get("errors"):
                    return rejected
                again: list[int] = []
                last_reason = ""
                for position, result in zip(pending, answer["items"], strict=True):
                    failure = bulk.item_error(result)
                    if failure is None:
                        continue
                    item = items[position]
                    if bulk.is_create_conflict(result) and isinstance(item, InstanceWrite):
                        lines[position] = bulk.upsert_lines(self._prefix, item)  # merge into what is stored
                        again.append(position)
                    elif bulk.is_retryable(failure[0]):
                        again.append(position)
                        transient, last_reason = True, failure[1]
                    else:
                        rejected.append(ItemRejected(position, failure[1], failure[0]))
                if not again:
                    return rejected
                pending, body = again, b"".join(lines[p] for p in again)
                if transient:
                    logger.warning("%d bulk item(s) failed transiently (%s); retrying", len(again), last_reason)
            if transient:
                await self._pause(attempt, deadline, f"{len(pending)} item(s) not stored")

    async def _bulk(self, body: bytes, attempt: int) -> dict[str, Any] | None:
        """The bulk answer, or None after a transient failure of the whole request (the caller pauses)."""
        try:
            answer: dict[str, Any] = await self.client.bulk(
                body=body, filter_path=bulk.RESPONSE_FILTER, params=self._bulk_params
            )
        except OSConnectionError as exc:
            logger.warning("OpenSearch unreachable (attempt %d): %s", attempt, exc)
            return None
        except TransportError as exc:
            status = exc.status_code if isinstance(exc.status_code, int) else 500
            if not bulk.is_retryable(status):
                raise _ChunkRefused(status, f"OpenSearch refused the bulk request: {status} {exc.error}") from exc
            logger.warning("OpenSearch bulk answered %s (attempt %d)", status, attempt)
            return None
        return answer

    async def _pause(self, attempt: int, deadline: float, what: str) -> None:
        delay = self._backoff.backoff(attempt)
        if time.monotonic() + delay > deadline:
            raise LogStoreUnavailable(f"OpenSearch at {self._url}: {what} after {self._max_retry_s:.0f}s of retries")
        await asyncio.sleep(delay)

    async def _ensure_templates(self) -> None:
        if self._templates_ready:
            return
        async with self._template_lock:
            if self._templates_ready:
                return
            try:
                for name, body in index_templates(self._prefix, **self._template_settings).items():  # type: ignore[arg-type]
                    await self.client.indices.put_index_template(name=name, body=body)
                await add_new_fields(self.client, f"{index_family(self._prefix, INSTANCES)}.*")
            except (OSConnectionError, TransportError) as exc:
                raise LogStoreUnavailable(f"cannot put the index templates on {self._url}: {exc}") from exc
            self._templates_ready = True
            logger.info("request-log index templates in place on %s (prefix %r)", self._url, self._prefix)

    # -- searching --

    async def search(self, query: LogQuery) -> LogPage:
        pattern = index_pattern(self._prefix, INSTANCES, query.namespace, query.deployment)
        answer = await self._search(pattern, search_body(query))
        page = to_page(answer, query.page_size)
        return await fetch_payloads(self.client, self._prefix, page)

    async def distribution(self, query: DistributionQuery) -> DistributionResult:
        pattern = index_pattern(self._prefix, INSTANCES, query.namespace, query.deployment)
        return distributions.to_result(query, await self._search(pattern, distributions.request_body(query)))

    async def _search(self, pattern: str, body: dict[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any]
        deadline = time.monotonic() + _SEARCH_SETTLE_S
        while True:
            try:
                answer = await self.client.search(
                    index=pattern, body=body, params={"ignore_unavailable": "true", "allow_no_indices": "true"}
                )
                break
            except OSConnectionError as exc:
                raise LogStoreUnavailable(f"OpenSearch at {self._url} is not reachable: {exc}") from exc
            except TransportError as exc:
                if exc.status_code == 400:
                    raise BadRequest(
                        f"the search was refused: {exc.error}", details={"info": str(exc.info)[:500]}
                    ) from exc
                # 503 "all shards failed" also answers a search that comes while the first write of a deployment
                # is still creating its index (its shard is not started yet): that settles within moments.
                if exc.status_code != 503 or time.monotonic() > deadline:
                    raise LogStoreUnavailable(f"OpenSearch search failed: {exc.status_code} {exc.error}") from exc
                await asyncio.sleep(0.2)
        return answer
