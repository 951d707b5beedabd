"""Bulk request bodies and per-item results for the OpenSearch log store.

An instance document is first written with `create` (the whole document as this batch knows it: parts of one
document in a batch are merged first). That is the cheap path: a plain insert, no read of a stored document.
If the document exists already (a part that arrives in a later batch, or a redelivery), OpenSearch answers 409
and the item is sent again as a partial-document upsert (`update` + `doc_as_upsert`, OpenSearch merges
objects), so parts may arrive in any order and a redelivered part changes nothing. Payloads are whole-document
`index` operations under a deterministic id (idempotent too). Bodies are bytes (orjson, no str round trip)
cut into requests of at most `max_bytes`, so a 5 MB payload does not drag a whole batch past the HTTP limit.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from warden_common.logstore import document as doc
from warden_common.logstore.naming import INSTANCES, PAYLOADS, index_name
from warden_common.logstore.opensearch_searchable import searchable_source
from warden_common.logstore.port import DeploymentRef, InstanceWrite, LogWrite, PayloadWrite

RETRY_ON_CONFLICT = 10
"""Concurrent upserts of one document (parts written by two partitions at once) retry inside OpenSearch."""

RESPONSE_FILTER = "errors,items.*.status,items.*.error"
"""Only what the per-item handling reads: the full per-item answer is most of a bulk response's bytes."""


@dataclass(frozen=True)
class BulkChunk:
    """Positions (in the caller's batch) and the NDJSON body of one bulk request."""

    positions: list[int]
    body: bytes


def _dumps(value: Any) -> bytes:
    # orjson: the bulk body is most of the logger's CPU. It writes NaN/Infinity as null (JSON has neither), so a
    # stray NaN cannot make OpenSearch refuse the whole request; a value it cannot encode raises (-> rejected item).
    try:
        return orjson.dumps(value)
    except TypeError as exc:  # orjson.JSONEncodeError
        raise ValueError(str(exc)) from exc


def create_lines(prefix: str, item: LogWrite) -> bytes:
    """The two NDJSON lines (action, source) that store `item` if it is new; raises ValueError for a value JSON
    cannot carry. For an instance the answer is 409 when its document exists: send `upsert_lines` then."""
    if isinstance(item, InstanceWrite):
        # {"create":{"_index":<index>,"_id":<id>}} with the constant part encoded once per index.
        action = _create_action_start(prefix, item.ref) + _dumps(item.doc_id) + b"}}\n"
        return action + _dumps(instance_source(item)) + b"\n"
    return b"%b\n%b\n" % (_dumps(_payload_action(prefix, item)), _dumps(payload_source(item)))


_CREATE_ACTIONS: dict[tuple[str, str, str], bytes] = {}
_MAX_CACHED_INDICES = 10_000


def _create_action_start(prefix: str, ref: DeploymentRef) -> bytes:
    key = (prefix, ref.namespace, ref.deployment)
    start = _CREATE_ACTIONS.get(key)
    if start is None:
        start = b'{"create":{"_index":%b,"_id":' % _dumps(index_name(prefix, INSTANCES, ref))
        if len(_CREATE_ACTIONS) < _MAX_CACHED_INDICES:
            _CREATE_ACTIONS[key] = start
    return start


def upsert_lines(prefix: str, item: InstanceWrite) -> bytes:
    """The two NDJSON lines that merge `item` into its document, whether it exists or not."""
    action = {
        "update": {
            "_index": index_name(prefix, INSTANCES, item.ref),
            "_id": item.doc_id,
            "retry_on_conflict": RETRY_ON_CONFLICT,
        }
    }
    return b"%b\n%b\n" % (_dumps(action), _dumps({"doc": instance_source(item), "doc_as_upsert": True}))


def is_create_conflict(result: dict[str, Any]) -> bool:
    """A `create` refused because the document exists (not an error: merge into it instead)."""
    outcome = result.get("create")
    return isinstance(outcome, dict) and outcome.get("status") == 409


def instance_source(item: InstanceWrite) -> dict[str, Any]:
    """The document (or the part of it) an instance write stores, its elements made search terms and
    aggregatable values."""
    ref = item.ref
    extra = {doc.DOC_ID: item.doc_id, doc.NAMESPACE: ref.namespace, doc.DEPLOYMENT: ref.deployment}
    return searchable_source(item.fields, **extra)


def coalesce(items: Sequence[LogWrite]) -> list[tuple[LogWrite, list[int]]]:
    """Merge instance writes of the same document (in order, later parts win per key); keep the positions."""
    groups: list[tuple[LogWrite, list[int]]] = []
    by_doc: dict[tuple[str, str, str], int] = {}
    for position, item in enumerate(items):
        if not isinstance(item, InstanceWrite):
            groups.append((item, [position]))
            continue
        key = (item.ref.namespace, item.ref.deployment, item.doc_id)
        at = by_doc.get(key)
        if at is None:
            by_doc[key] = len(groups)
            groups.append((item, [position]))
            continue
        merged, positions = groups[at]
        assert isinstance(merged, InstanceWrite)
        groups[at] = (InstanceWrite(item.ref, item.doc_id, {**merged.fields, **item.fields}), [*positions, position])
    return groups


def _payload_action(prefix: str, item: PayloadWrite) -> dict[str, Any]:
    return {"index": {"_index": index_name(prefix, PAYLOADS, item.ref), "_id": item.doc_id}}


def payload_source(item: PayloadWrite) -> dict[str, Any]:
    return {
        "requestId": item.request_id,
        "part": item.part,
        "namespace": item.ref.namespace,
        "deployment": item.ref.deployment,
        "contentType": item.content_type,
        "sizeBytes": item.size_bytes,
        "payload": item.payload if isinstance(item.payload, dict) else {"value": item.payload},
        "rejectedReason": item.rejected_reason,
    }


def unwrap_payload(source: dict[str, Any]) -> Any:
    """The payload as written (non-objects are wrapped because the field is an object)."""
    payload = source.get("payload")
    if isinstance(payload, dict) and set(payload) == {"value"}:
        return payload["value"]
    return payload


def chunks(lines: Sequence[tuple[int, bytes]], max_bytes: int) -> Iterator[BulkChunk]:
    """Group (position, lines) into bodies of at most `max_bytes` (a single larger item goes alone)."""
    positions: list[int] = []
    parts: list[bytes] = []
    size = 0
    for position, text in lines:
        length = len(text)
        if parts and size + length > max_bytes:
            yield BulkChunk(positions, b"".join(parts))
            positions, parts, size = [], [], 0
        positions.append(position)
        parts.append(text)
        size += length
    if parts:
        yield BulkChunk(positions, b"".join(parts))


def item_error(result: dict[str, Any]) -> tuple[int, str] | None:
    """(status, reason) of a failed bulk item result, None if it succeeded."""
    (outcome,) = result.values()
    status = int(outcome.get("status", 500))
    if status < 300:
        return None
    error = outcome.get("error")
    if isinstance(error, dict):
        reason = f"{error.get('type', 'error')}: {error.get('reason', '')}"
        caused = error.get("caused_by")
        if isinstance(caused, dict):
            reason += f" (caused by {caused.get('type', '')}: {caused.get('reason', '')})"
    else:
        reason = str(error or f"status {status}")
    return status, reason


def is_retryable(status: int) -> bool:
    """429 (rejected execution, queue full), 409 left after retry_on_conflict, and every 5xx are transient."""
    return status in (409, 429) or status >= 500
