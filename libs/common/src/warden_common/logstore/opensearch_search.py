"""Turning an OpenSearch search answer into a `LogPage`, with the separately stored payloads fetched."""

from __future__ import annotations

from typing import Any

from opensearchpy import AsyncOpenSearch

from warden_common.logstore import document as doc
from warden_common.logstore.naming import PAYLOADS, index_name
from warden_common.logstore.opensearch_bulk import unwrap_payload
from warden_common.logstore.paging import encode_token
from warden_common.logstore.port import PART_NAMES, DeploymentRef, LogHit, LogPage

_SEPARATE = (doc.PAYLOAD_SEPARATE, doc.PAYLOAD_REJECTED)


def to_page(answer: dict[str, Any], page_size: int) -> LogPage:
    raw_hits = answer["hits"]["hits"]
    hits = [
        LogHit(
            ref=DeploymentRef(hit["_source"].get(doc.NAMESPACE, ""), hit["_source"].get(doc.DEPLOYMENT, "")),
            doc_id=hit["_id"],
            document=hit["_source"],
        )
        for hit in raw_hits
    ]
    total = answer["hits"]["total"]
    count = total["value"] if isinstance(total, dict) else int(total)
    token = encode_token(raw_hits[-1]["sort"]) if raw_hits and len(raw_hits) == page_size else None
    return LogPage(hits=hits, total=count, next_page_token=token)


def separate_payload_keys(hit: LogHit) -> list[tuple[str, str]]:
    """(part, payload doc id) of the parts of `hit` whose payload lives in the payload index."""
    request_id = str(hit.document.get(doc.REQUEST_ID, ""))
    keys = []
    for part in PART_NAMES:
        body = hit.document.get(part)
        if isinstance(body, dict) and body.get("payloadStored") in _SEPARATE:
            keys.append((part, f"{request_id}/{part}"))
    return keys


async def fetch_payloads(client: AsyncOpenSearch, prefix: str, page: LogPage) -> LogPage:
    wanted = [(i, part, index_name(prefix, PAYLOADS, hit.ref), pid)
              for i, hit in enumerate(page.hits) for part, pid in separate_payload_keys(hit)]  # fmt: skip
    if not wanted:
        return page
    answer = await client.mget(body={"docs": [{"_index": index, "_id": pid} for _, _, index, pid in wanted]})
    found: dict[int, dict[str, Any]] = {}
    for (i, part, _, _), result in zip(wanted, answer["docs"], strict=True):
        if result.get("found"):
            source = result["_source"]
            found.setdefault(i, {})[part] = {
                "payload": unwrap_payload(source),
                "contentType": source.get("contentType"),
                "sizeBytes": source.get("sizeBytes"),
                "rejectedReason": source.get("rejectedReason"),
            }
    hits = [
        LogHit(ref=hit.ref, doc_id=hit.doc_id, document=hit.document, payloads=found.get(i, {}))
        for i, hit in enumerate(page.hits)
    ]
    return LogPage(hits=hits, total=page.total, next_page_token=page.next_page_token)
