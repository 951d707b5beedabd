"""Seldon protocol messages: `data` (ndarray / tensor / tftensor, with names), `strData`, `jsonData`, `binData`."""

from __future__ import annotations

from typing import Any

from warden_common.payloads.model import ParsedInstance, ParsedPayload, instance_of, reshape, row_dims


class PayloadShapeError(ValueError):
    """The payload is JSON but not a shape the declared protocol allows; says where."""


def parse_seldon(message: dict[str, Any]) -> ParsedPayload:
    if "strData" in message:
        text = message["strData"]
        return ParsedPayload("seldon", [ParsedInstance(text, "text", columns=[text])])
    if "jsonData" in message:
        return ParsedPayload("seldon", [ParsedInstance(message["jsonData"], "json")])
    if "binData" in message:
        return ParsedPayload("seldon", [ParsedInstance(message["binData"], "image")])
    data = message.get("data")
    if not isinstance(data, dict):
        raise PayloadShapeError("Seldon message has none of data, strData, jsonData, binData")
    names = list(map(str, data.get("names") or ()))
    return ParsedPayload("seldon", [instance_of(row) for row in _rows(data)], names)


def _rows(data: dict[str, Any]) -> list[Any]:
    if "ndarray" in data:
        ndarray = data["ndarray"]
        if not isinstance(ndarray, list):
            raise PayloadShapeError("data.ndarray must be a list")
        # A flat list is one instance; a list of lists (or strings per row) is a batch of rows.
        return ndarray if row_dims(ndarray) >= 2 or _all_rows_text(ndarray) else [ndarray]
    if "tensor" in data:
        tensor = data["tensor"]
        if not isinstance(tensor, dict) or not isinstance(tensor.get("values"), list):
            raise PayloadShapeError("data.tensor needs shape and values")
        shape = [int(s) for s in tensor.get("shape") or [len(tensor["values"])]]
        nested = reshape(tensor["values"], shape)
        return nested if len(shape) >= 2 else [nested]
    if "tftensor" in data:
        return _tftensor_rows(data["tftensor"])
    raise PayloadShapeError("Seldon data has none of ndarray, tensor, tftensor")


def _all_rows_text(ndarray: list[Any]) -> bool:
    # ["a review", "another review"]: Seldon text models take one string per row.
    return len(ndarray) > 1 and all(isinstance(v, str) for v in ndarray)


def _tftensor_rows(tftensor: Any) -> list[Any]:
    """TensorProto as JSON: `tensorShape.dim[].size` and one `*Val` list (floatVal, doubleVal, intVal, ...)."""
    if not isinstance(tftensor, dict):
        raise PayloadShapeError("data.tftensor must be an object")
    dims = [int(d.get("size", 0)) for d in (tftensor.get("tensorShape") or {}).get("dim", [])]
    values = next((v for k, v in tftensor.items() if k.endswith("Val") and isinstance(v, list)), [])
    nested = reshape(values, dims) if dims else values
    return nested if len(dims) >= 2 else [nested]
