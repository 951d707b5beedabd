"""Explicit index templates for the request log: no field's type is ever guessed from the first document.

`dynamic: strict` on every object we define makes an unexpected field a per-item 400 (dead-lettered with the
reason) instead of a silently grown mapping. Free-form parts of a document (the raw instance, the named
elements, raw payloads, detector extras) are `enabled: false`: kept in `_source`, returned by searches, never
indexed, so their shape cannot conflict with anything. Searchable features are terms of one keyword field
per part (`opensearch_features`), not nested documents: one Lucene document per instance.
"""

from __future__ import annotations

import logging
from typing import Any

from opensearchpy import AsyncOpenSearch
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.exceptions import TransportError

from warden_common.logstore.naming import INSTANCES, PAYLOADS, index_family

logger = logging.getLogger(__name__)

_KEYWORD = {"type": "keyword", "ignore_above": 1024}
_STORED_ONLY = {"type": "object", "enabled": False}
_DATE = {"type": "date", "format": "strict_date_optional_time||epoch_millis"}

_FEATURES = {"type": "keyword", "doc_values": False, "ignore_above": 8191}
"""Typed feature terms (`opensearch_features`): searched, never sorted or aggregated on, so no doc values.
8191 characters stay under Lucene's 32,766-byte term limit in any UTF-8."""


VALUES, CATEGORIES = "values", "categories"
"""Per searchable part (`request`, `response`): the element's numbers (`double`) and texts (`keyword`) by encoded
name (`opensearch_distributions.field_name`), for aggregations (doc values only, not indexed: cohort conditions
use the `features` terms). The only dynamic objects of the mapping: their fields' types come from the dynamic
templates below, never from a document, and the writer puts numbers only in one and texts only in the other."""

_SLOTS: dict[str, Any] = {VALUES: {"type": "object", "dynamic": True}, CATEGORIES: {"type": "object", "dynamic": True}}

DYNAMIC_TEMPLATES: list[dict[str, Any]] = [
    {f"{part}_{slot}": {"path_match": f"{part}.{slot}.*", "mapping": mapping}}
    for part in ("request", "response")
    for slot, mapping in (
        (VALUES, {"type": "double", "index": False}),
        (CATEGORIES, {"type": "keyword", "index": False, "ignore_above": 1024}),
    )
]

TOTAL_FIELDS_LIMIT = 10_000
"""Per index (one deployment): feature names aggregated beyond this many are dead-lettered by OpenSearch."""


def _part(*, slots: bool = False) -> dict[str, Any]:
    return {
        "dynamic": "strict",
        "properties": {
            **(_SLOTS if slots else {}),
            "time": _DATE,
            "ceId": _KEYWORD,
            "modelId": _KEYWORD,
            "contentType": _KEYWORD,
            "dataType": _KEYWORD,
            "names": _KEYWORD,
            "batchSize": {"type": "integer"},
            "instance": _STORED_ONLY,
            "elements": _STORED_ONLY,
            "features": _FEATURES,
            "payload": _STORED_ONLY,
            "payloadStored": _KEYWORD,
            "payloadRejectedReason": {"type": "text", "index": False},
            "payloadSizeBytes": {"type": "long"},
        },
    }


ADDED_INSTANCE_FIELDS: dict[str, Any] = {"deploymentUid": _KEYWORD, "loadTest": _KEYWORD}
"""Top-level instance fields added after indices were first made from the template: put on existing indices at
start (additions only; a changed type would need a new index)."""


def instance_mappings() -> dict[str, Any]:
    return {
        "dynamic": "strict",
        "dynamic_templates": DYNAMIC_TEMPLATES,
        "properties": {
            "docId": _KEYWORD,
            "requestId": _KEYWORD,
            "itemIndex": {"type": "integer"},
            "namespace": _KEYWORD,
            "deployment": _KEYWORD,
            **ADDED_INSTANCE_FIELDS,
            "endpoint": _KEYWORD,
            "engine": _KEYWORD,
            "modelId": _KEYWORD,
            "protocol": _KEYWORD,
            "timestamp": _DATE,
            "request": _part(slots=True),
            "response": _part(slots=True),
            "feedback": {
                "dynamic": "strict",
                "properties": {
                    "time": _DATE,
                    "ceId": _KEYWORD,
                    "reward": {"type": "double"},
                    "truth": _part(),
                    "payload": _STORED_ONLY,
                },
            },
            "outlier": {
                "dynamic": "strict",
                "properties": {
                    "time": _DATE,
                    "isOutlier": {"type": "boolean"},
                    "instanceScore": {"type": "double"},
                    "featureScore": _STORED_ONLY,
                    "detector": _STORED_ONLY,
                },
            },
            "drift": {
                "dynamic": "strict",
                "properties": {
                    "time": _DATE,
                    "isDrift": {"type": "boolean"},
                    "pVal": _STORED_ONLY,
                    "distance": _STORED_ONLY,
                    "threshold": _STORED_ONLY,
                    "detector": _STORED_ONLY,
                },
            },
        },
    }


def payload_mappings() -> dict[str, Any]:
    return {
        "dynamic": "strict",
        "properties": {
            "requestId": _KEYWORD,
            "part": _KEYWORD,
            "namespace": _KEYWORD,
            "deployment": _KEYWORD,
            "contentType": _KEYWORD,
            "sizeBytes": {"type": "long"},
            "payload": _STORED_ONLY,
            "rejectedReason": {"type": "text", "index": False},
        },
    }


def index_templates(prefix: str, *, shards: int, replicas: int, refresh_interval: str) -> dict[str, dict[str, Any]]:
    """Template name -> composable index template body, for the instance and payload indices."""
    settings = {
        "mapping.total_fields.limit": TOTAL_FIELDS_LIMIT,
        "number_of_shards": shards,
        "number_of_replicas": replicas,
        "refresh_interval": refresh_interval,
    }
    return {
        index_family(prefix, INSTANCES): {
            "index_patterns": [f"{index_family(prefix, INSTANCES)}.*"],
            "priority": 100,
            "template": {"settings": settings, "mappings": instance_mappings()},
        },
        index_family(prefix, PAYLOADS): {
            "index_patterns": [f"{index_family(prefix, PAYLOADS)}.*"],
            "priority": 100,
            "template": {"settings": settings, "mappings": payload_mappings()},
        },
    }


async def add_new_fields(client: AsyncOpenSearch, pattern: str) -> None:
    """Give the instance indices matching `pattern` that were made from an older template the top-level fields
    added since (`ADDED_INSTANCE_FIELDS`): their strict mapping would refuse every document carrying one.

    Index by index, so one whose mapping cannot take them (made by hand, say) holds up no other; it keeps
    refusing those documents, each dead-lettered with the reason. Connection trouble and 5xx are raised.
    """
    found = await client.indices.get_mapping(index=pattern, allow_no_indices=True, ignore_unavailable=True)
    for index, body in found.items():
        present = body.get("mappings", {}).get("properties", {})
        missing = {name: field for name, field in ADDED_INSTANCE_FIELDS.items() if name not in present}
        for part in ("request", "response"):
            if VALUES not in present.get(part, {}).get("properties", {VALUES: None}):
                missing[part] = {"properties": _SLOTS}
        if not missing:
            continue
        try:
            change: dict[str, Any] = {"properties": missing}
            if any(part in missing for part in ("request", "response")):
                change["dynamic_templates"] = DYNAMIC_TEMPLATES
            await client.indices.put_mapping(index=index, body=change)
        except OSConnectionError:
            raise
        except TransportError as exc:
            if not isinstance(exc.status_code, int) or exc.status_code >= 500:
                raise
            logger.warning("index %s cannot take the fields %s: %s", index, sorted(missing), exc)
