"""Bulk request bodies and per-item results for the OpenSearch log store.

Instance parts are partial-document upserts (`update` + `doc_as_upsert`, OpenSearch merges objects), so a
response may arrive before its request and a redelivered part changes nothing. Payloads are whole-document
`index` operations under a deterministic id (idempotent too). Bodies are cut into requests of at most
`max_bytes`, so a 5 MB payload does not drag a whole batch past the HTTP limit.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from warden_common.logstore import document as doc
from warden_common.logstore.naming import INSTANCES, PAYLOADS, index_name
from warden_common.logstore.port import InstanceWrite, LogWrite, PayloadWrite

RETRY_ON_CONFLICT = 10
"""Concurrent upserts of one document (parts written by two partitions at once) retry inside OpenSearch."""


@dataclass(frozen=True)
class BulkChunk:
    """Positions (in the caller's batch) and the NDJSON body of one bulk request."""

    positions: list[int]
    body: str


def _dumps(value: Any) -> str:
    # orjson: the bulk body is most of the logger's CPU. It writes NaN/Infinity as null (JSON has neither), so a
    # stray NaN cannot make OpenSearch refuse the whole request; a value it cannot encode raises (-> rejected item).
    try:
        return orjson.dumps(value).decode()
    except TypeError as exc:  # orjson.JSONEncodeError
        raise ValueError(str(exc)) from exc


def operation_lines(prefix: str, item: LogWrite) -> str:
    """The two NDJSON lines (action, source) of one item; raises ValueError for a value JSON cannot carry."""
    if isinstance(item, InstanceWrite):
        action = {
            "update": {
                "_index": index_name(prefix, INSTANCES, item.ref),
                "_id": item.doc_id,
                "retry_on_conflict": RETRY_ON_CONFLICT,
            }
        }
        fields = {
            **item.fields,
            doc.DOC_ID: item.doc_id,
            doc.NAMESPACE: item.ref.namespace,
            doc.DEPLOYMENT: item.ref.deployment,
        }
        return f"{_dumps(action)}\n{_dumps({'doc': fields, 'doc_as_upsert': True})}\n"
    return f"{_dumps(_payload_action(prefix, item))}\n{_dumps(payload_source(item))}\n"


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


def chunks(lines: Sequence[tuple[int, str]], max_bytes: int) -> Iterator[BulkChunk]:
    """Group (position, lines) into bodies of at most `max_bytes` (a single larger item goes alone)."""
    positions: list[int] = []
    parts: list[str] = []
    size = 0
    for position, text in lines:
        length = len(text.encode())
        if parts and size + length > max_bytes:
            yield BulkChunk(positions, "".join(parts))
            positions, parts, size = [], [], 0
        positions.append(position)
        parts.append(text)
        size += length
    if parts:
        yield BulkChunk(positions, "".join(parts))


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
