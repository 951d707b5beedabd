"""Open Inference Protocol (V2): every input of a request and every output of a response, split by row.

The first dimension of each tensor is the batch. One input -> the instance is that input's row (named by the
payload's names or the schema); several inputs -> the instance maps each input name to its row, all kept.
"""

from __future__ import annotations

from typing import Any

from warden_common.payloads.model import DataType, ParsedInstance, ParsedPayload, instance_of, reshape
from warden_common.payloads.seldon import PayloadShapeError


def parse_v2(tensors: list[dict[str, Any]], *, what: str) -> ParsedPayload:
    if not tensors:
        raise PayloadShapeError(f"V2 {what} has no tensors")
    split = [
        (str(t.get("name", f"{what}-{i}")), _batch_rows(t, what), t.get("datatype")) for i, t in enumerate(tensors)
    ]
    batch = max(len(rows) for _, rows, _ in split)
    if len(split) == 1:
        _, rows, datatype = split[0]
        return ParsedPayload("v2", [_typed(instance_of(row), datatype) for row in rows], _column_names(tensors[0]))
    instances = []
    for i in range(batch):
        named = {name: _unwrap(rows[i]) if i < len(rows) else None for name, rows, _ in split}
        instances.append(ParsedInstance(named, _multi_type(split), named=named))
    return ParsedPayload("v2", instances, [name for name, _, _ in split])


def _batch_rows(tensor: dict[str, Any], what: str) -> list[Any]:
    data = tensor.get("data")
    shape = [int(s) for s in tensor.get("shape") or []]
    if data is None:
        raise PayloadShapeError(f"V2 {what} tensor {tensor.get('name')!r} has no data")
    flat = data if isinstance(data, list) else [data]
    already_nested = bool(flat) and isinstance(flat[0], list)
    nested = flat if already_nested or not shape else reshape(flat, shape)
    if len(shape) <= 1:
        # Shape [n]: n rows of one value each (a batch of scalars or strings).
        return [[v] for v in nested] if isinstance(nested, list) else [[nested]]
    return nested if isinstance(nested, list) else [nested]


def _column_names(tensor: dict[str, Any]) -> list[str]:
    parameters = tensor.get("parameters") or {}
    names = parameters.get("names") if isinstance(parameters, dict) else None
    return [str(n) for n in names] if isinstance(names, list) else [str(tensor.get("name", ""))]


def _typed(instance: ParsedInstance, datatype: Any) -> ParsedInstance:
    if datatype == "BYTES":
        return ParsedInstance(instance.instance, "text", instance.columns, instance.named)
    return instance


def _multi_type(split: list[tuple[str, list[Any], Any]]) -> DataType:
    if all(datatype == "BYTES" for _, _, datatype in split):
        return "text"
    return "json"


def _unwrap(row: Any) -> Any:
    """A one-value row (shape [n] inputs) reads better as the value itself."""
    return row[0] if isinstance(row, list) and len(row) == 1 else row
