"""TensorFlow Serving / KServe V1: `instances` / `predictions` (row format) or `inputs` / `outputs` (columnar)."""

from __future__ import annotations

from typing import Any

from warden_common.payloads.model import ParsedInstance, ParsedPayload, instance_of


def parse_rows(rows: list[Any]) -> ParsedPayload:
    return ParsedPayload("tensorflow", [instance_of(row) for row in rows])


def parse_columnar(columns: Any) -> ParsedPayload:
    """`{"a": [r0, r1], "b": [r0, r1]}` -> one instance per row; a bare list is row format."""
    if isinstance(columns, list):
        return parse_rows(columns)
    if isinstance(columns, dict) and columns and all(isinstance(v, list) for v in columns.values()):
        batch = max(len(v) for v in columns.values())
        instances = []
        for i in range(batch):
            named = {str(k): v[i] if i < len(v) else None for k, v in columns.items()}
            instances.append(ParsedInstance(named, "json", named=named))
        return ParsedPayload("tensorflow", instances, [str(k) for k in columns])
    return ParsedPayload("tensorflow", [instance_of(columns)])
