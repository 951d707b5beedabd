"""The compiled path (`warden_native`, Rust) from an executor's body to the part of an OpenSearch document.

Why: on the OpenSearch store the logger's CPU is the end-to-end rate's limit (issue 18): per event it decoded the
body into Python objects, parsed the protocol, named the columns, built the part and then walked and encoded it
again for the store. The compiled path reads the body's bytes once and writes the part's JSON, searchable forms
included, without making those objects.

What it is not: a second definition. The Python path (`documents.DocumentBuilder._instance_parts`, the payload
parsers, `schema.ColumnNamer`, `opensearch_searchable`) defines every byte, the tests hold the compiled bytes
equal to `orjson.dumps` of what the Python path builds, and the compiled path answers None for every body outside
the common shapes it takes (one row of a Seldon `data.ndarray` or of a single V2 tensor; see
`libs/native/src/payload.rs`), which then takes the Python path: TensorFlow/KServe V1 bodies, other Seldon
forms, batches, strings with escapes, odd numbers, payloads over the size limit.
Only the OpenSearch store takes a compiled part (an `orjson.Fragment`); the PostgreSQL store reads the parts.
"""

from __future__ import annotations

import orjson
from warden_native import Namer, PartEncoder

from warden_common.codec import Event
from warden_common.codec.event import ReceivedEvent
from warden_common.logstore import document as doc
from warden_common.logstore.opensearch_features import MAX_NAME_CHARS
from warden_common.logstore.opensearch_searchable import MAX_SLOT_NAME, MAX_SLOT_NAMES
from warden_request_logger.schema import ColumnNamer

_MAX_CACHED_NAMES = 100_000


class CompiledParts:
    """The compiled encoder with the OpenSearch store's bounds; one per `DocumentBuilder` (it remembers names)."""

    def __init__(self, *, max_payload_bytes: int) -> None:
        self._encoder = PartEncoder(
            max_features=doc.MAX_FEATURES,
            max_keyword=doc.MAX_KEYWORD,
            max_name_chars=MAX_NAME_CHARS,
            max_slot_names=MAX_SLOT_NAMES,
            max_slot_name=MAX_SLOT_NAME,
            max_payload_bytes=max_payload_bytes,
            max_cached_names=_MAX_CACHED_NAMES,
            payload_inline=doc.PAYLOAD_INLINE,
        )

    def part(self, event: Event, part: str, time: str, model_id: str | None,
             namer: ColumnNamer | None) -> orjson.Fragment | None:  # fmt: skip
        """The request or response part of `event` as JSON, or None (then build it in Python).

        `namer`: the prediction schema's, when the deployment has one.
        """
        compiled: Namer | None = None
        if namer is not None:
            compiled = namer.compiled
            if compiled is None:
                return None  # a schema the compiled namer would name otherwise
        body = event.pending_json_data() if isinstance(event, ReceivedEvent) else None
        if type(body) is not bytes:
            return None
        encoded = self._encoder.encode(
            part, body, time, event.get_id(), model_id, event.get_datacontenttype(), compiled
        )
        return None if encoded is None else orjson.Fragment(encoded)
