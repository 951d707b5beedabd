"""One input line -> the request body sent for it, and the answer -> its output line (protocols.md §6).

Output lines are the deployment's answers with `meta.tags.batch_id` (the job's uid), `batch_index` (the 0-based
input line) and `batch_instance_id` (a UUID derived from both, the same if the line is run again after a resume).
A line that failed is `{"status": {"info": "FAILURE", "reason": <the real error>, "status": 1}, "meta": {"tags"}}`.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any


class LineError(Exception):
    """The line itself cannot be sent (not JSON, wrong shape): its FAILURE line, no request, no retry."""


@dataclass(frozen=True)
class Line:
    index: int
    text: str


def tags(batch_id: uuid.UUID, index: int) -> dict[str, Any]:
    return {
        "batch_id": str(batch_id),
        "batch_index": index,
        "batch_instance_id": str(uuid.uuid5(batch_id, str(index))),
    }


def failure(batch_id: uuid.UUID, index: int, reason: str) -> str:
    body = {"status": {"info": "FAILURE", "reason": reason, "status": 1}, "meta": {"tags": tags(batch_id, index)}}
    return json.dumps(body, separators=(",", ":"))


def success(batch_id: uuid.UUID, index: int, answer: dict[str, Any]) -> str:
    meta = answer.get("meta") if isinstance(answer.get("meta"), dict) else {}
    assert isinstance(meta, dict)
    own = meta.get("tags") if isinstance(meta.get("tags"), dict) else {}
    assert isinstance(own, dict)
    body = {**answer, "meta": {**meta, "tags": {**own, **tags(batch_id, index)}}}
    return json.dumps(body, separators=(",", ":"))


def rows_of(line: Line) -> list[Any]:
    """The rows of a `data` line: `[[..], ..]` as is, a single row `[..]` as one row."""
    value = _json(line)
    if not isinstance(value, list) or not value:
        raise LineError(f"line {line.index}: a data line is a JSON array of numbers or of rows, got {_kind(value)}")
    return value if all(isinstance(row, list) for row in value) else [value]


def data_body(rows: list[Any], payload_type: str) -> dict[str, Any]:
    if payload_type in ("tensor", "tftensor"):
        width = len(rows[0]) if rows and isinstance(rows[0], list) else 0
        values = [v for row in rows for v in (row if isinstance(row, list) else [row])]
        if payload_type == "tensor":
            return {"data": {"tensor": {"shape": [len(rows), width], "values": values}}}
        # A TensorProto in protobuf's JSON mapping; numbers as doubles, so no value loses precision on the way.
        dims = [{"size": str(len(rows))}, {"size": str(width)}]
        return {"data": {"tftensor": {"dtype": "DT_DOUBLE", "tensorShape": {"dim": dims}, "doubleVal": values}}}
    return {"data": {"ndarray": rows}}


def line_body(line: Line, data_type: str, payload_type: str) -> dict[str, Any]:
    """The request body of one line (any data type)."""
    if data_type == "data":
        return data_body(rows_of(line), payload_type)
    if data_type == "str":
        try:
            value = json.loads(line.text)
        except ValueError:
            value = line.text
        return {"strData": value if isinstance(value, str) else line.text}
    value = _json(line)
    if not isinstance(value, dict):
        raise LineError(f"line {line.index}: a {data_type} line is a whole request, a JSON object; got {_kind(value)}")
    return value


def split_answer(answer: dict[str, Any], counts: list[int]) -> list[dict[str, Any]] | None:
    """A mini-batch's answer split into one answer per line (`counts` rows each), or None if its shape does not
    allow it (then the lines are sent one by one)."""
    data = answer.get("data")
    if not isinstance(data, dict):
        return None
    total = sum(counts)
    parts: list[dict[str, Any]] = []
    if isinstance(data.get("ndarray"), list) and len(data["ndarray"]) == total:
        start = 0
        for count in counts:
            parts.append({**data, "ndarray": data["ndarray"][start : start + count]})
            start += count
    elif isinstance(data.get("tensor"), dict):
        tensor = data["tensor"]
        shape, values = tensor.get("shape"), tensor.get("values")
        if not (isinstance(shape, list) and shape and shape[0] == total and isinstance(values, list)) or not total:
            return None
        width = len(values) // total
        start = 0
        for count in counts:
            piece = {"shape": [count, *shape[1:]], "values": values[start * width : (start + count) * width]}
            parts.append({**data, "tensor": piece})
            start += count
    elif isinstance(data.get("tftensor"), dict):
        pieces = _split_tftensor(data["tftensor"], counts)
        if pieces is None:
            return None
        parts = [{**data, "tftensor": piece} for piece in pieces]
    else:
        return None
    return [{**answer, "data": part} for part in parts]


def _split_tftensor(tensor: dict[str, Any], counts: list[int]) -> list[dict[str, Any]] | None:
    """A TensorProto answer split along its first dimension; None when its values are not one typed list
    (`tensorContent` bytes, or a single value that fills the tensor)."""
    dims = (tensor.get("tensorShape") or {}).get("dim")
    total = sum(counts)
    if not isinstance(dims, list) or not dims or not total or str(dims[0].get("size")) != str(total):
        return None
    fields = [key for key, value in tensor.items() if key.endswith("Val") and isinstance(value, list)]
    if len(fields) != 1 or len(tensor[fields[0]]) % total:
        return None
    values = tensor[fields[0]]
    width = len(values) // total
    pieces, start = [], 0
    for count in counts:
        shape = {**tensor["tensorShape"], "dim": [{**dims[0], "size": str(count)}, *dims[1:]]}
        pieces.append({**tensor, "tensorShape": shape, fields[0]: values[start * width : (start + count) * width]})
        start += count
    return pieces


def _json(line: Line) -> Any:
    try:
        return json.loads(line.text)
    except ValueError as exc:
        raise LineError(f"line {line.index} is not JSON: {exc}") from None


def _kind(value: Any) -> str:
    return "an empty array" if value == [] else type(value).__name__
