from typing import Any

class Namer:
    """A prediction schema's column namer, compiled (made by `namer`)."""

def namer(width: int, steps: list[tuple[str, str, int, int, Any]]) -> Namer | None:
    """From `ColumnNamer.native_steps()`; None when the compiled namer would not name rows exactly as Python."""

class PartEncoder:
    """An executor's request or response body -> the OpenSearch instance document's part, searchable forms
    included, byte-identical to `orjson.dumps` of what the Python path builds; None: run the Python path."""

    def __init__(
        self,
        *,
        max_features: int,
        max_keyword: int,
        max_name_chars: int,
        max_slot_names: int,
        max_slot_name: int,
        max_payload_bytes: int,
        max_cached_names: int,
        payload_inline: str,
    ) -> None: ...
    def encode(
        self,
        part: str,
        body: bytes,
        time: str,
        ce_id: str,
        model_id: str | None,
        content_type: str | None,
        namer: Namer | None,
    ) -> bytes | None: ...
