"""Seldon's `data.tftensor` (a TensorFlow TensorProto in protobuf's JSON mapping) <-> a V2 tensor.

The JSON form: `{"dtype": "DT_FLOAT", "tensorShape": {"dim": [{"size": "2"}, {"size": "4"}]}, "floatVal": [...]}`.
Values come in the typed list of the dtype (`floatVal`, `doubleVal`, `intVal`, `int64Val` as strings, ...) or as
`tensorContent` (base64 of the little-endian packed values); one value with a larger shape fills the tensor, as
TensorFlow reads it. DT_STRING values are base64 bytes and travel to MLServer as BYTES with its `base64` content
type, so no byte is re-encoded. Types V2 has no datatype for (complex, bfloat16, quantized, resource...) are a 400.
"""

from __future__ import annotations

import base64
import binascii
import struct
from dataclasses import dataclass
from typing import Any

from warden_serving.dataplane.arrays import InvalidPayload, element_count


@dataclass(frozen=True)
class _Kind:
    dtype: str
    datatype: str
    field: str
    pack: str  # struct format of one value in tensorContent ("" for strings)
    as_string: bool = False  # int64/uint64 are strings in protobuf's JSON mapping


_KINDS = [
    _Kind("DT_FLOAT", "FP32", "floatVal", "f"),
    _Kind("DT_DOUBLE", "FP64", "doubleVal", "d"),
    _Kind("DT_HALF", "FP16", "halfVal", "e"),
    _Kind("DT_INT8", "INT8", "intVal", "b"),
    _Kind("DT_INT16", "INT16", "intVal", "h"),
    _Kind("DT_INT32", "INT32", "intVal", "i"),
    _Kind("DT_INT64", "INT64", "int64Val", "q", as_string=True),
    _Kind("DT_UINT8", "UINT8", "intVal", "B"),
    _Kind("DT_UINT16", "UINT16", "intVal", "H"),
    _Kind("DT_UINT32", "UINT32", "uint32Val", "I"),
    _Kind("DT_UINT64", "UINT64", "uint64Val", "Q", as_string=True),
    _Kind("DT_BOOL", "BOOL", "boolVal", "?"),
    _Kind("DT_STRING", "BYTES", "stringVal", ""),
]
_BY_DTYPE = {k.dtype: k for k in _KINDS}
_BY_DATATYPE = {k.datatype: k for k in _KINDS}
BASE64 = "base64"


def tftensor_to_v2(tensor: Any, name: str, where: str = "data.tftensor") -> dict[str, Any]:
    if not isinstance(tensor, dict):
        raise InvalidPayload(f"{where} must be an object (a TensorProto in JSON form)")
    dtype = tensor.get("dtype")
    kind = _BY_DTYPE.get(str(dtype))
    if kind is None:
        raise InvalidPayload(
            f"{where}.dtype {dtype!r} cannot be sent to the model: V2 has a datatype for {sorted(_BY_DTYPE)} only"
        )
    shape = _shape(tensor.get("tensorShape"), f"{where}.tensorShape")
    values = _values(tensor, kind, where)
    count = element_count(shape)
    if len(values) == 1 and count > 1:
        values = values * count  # TensorProto: a single value fills the whole tensor
    if len(values) != count:
        raise InvalidPayload(f"{where}: shape {shape} needs {count} values but {len(values)} were given")
    v2: dict[str, Any] = {"name": name, "shape": shape, "datatype": kind.datatype, "data": values}
    if kind.datatype == "BYTES":
        v2["parameters"] = {"content_type": BASE64}
    return v2


def v2_to_tftensor(output: dict[str, Any]) -> dict[str, Any]:
    """A V2 output as a TensorProto JSON; `InvalidPayload` if its datatype has no TensorFlow dtype."""
    datatype = str(output.get("datatype"))
    kind = _BY_DATATYPE.get(datatype)
    if kind is None:
        raise InvalidPayload(f"the model answered a {datatype} tensor, which data.tftensor cannot carry")
    values = list(output.get("data") or [])
    shape = list(output.get("shape") or [len(values)])
    if kind.dtype == "DT_STRING":
        already = (output.get("parameters") or {}).get("content_type") == BASE64
        values = [v if already else base64.b64encode(str(v).encode()).decode() for v in values]
    elif kind.dtype == "DT_HALF":
        values = [struct.unpack("<H", struct.pack("<e", v))[0] for v in values]
    elif kind.as_string:
        values = [str(int(v)) for v in values]
    return {"dtype": kind.dtype, "tensorShape": {"dim": [{"size": str(d)} for d in shape]}, kind.field: values}


def _shape(raw: Any, where: str) -> list[int]:
    if not isinstance(raw, dict):
        raise InvalidPayload(f"{where} is required: {{'dim': [{{'size': ...}}, ...]}}")
    if raw.get("unknownRank"):
        raise InvalidPayload(f"{where} has an unknown rank; a request tensor needs a full shape")
    dims = raw.get("dim") or []
    if not isinstance(dims, list):
        raise InvalidPayload(f"{where}.dim must be a list")
    shape = []
    for i, dim in enumerate(dims):
        size = dim.get("size", 0) if isinstance(dim, dict) else None  # protobuf JSON: int64 as a string, 0 omitted
        try:
            value = int(size) if isinstance(size, int | str) and not isinstance(size, bool) else -1
        except ValueError:
            value = -1
        if value < 0:
            raise InvalidPayload(f"{where}.dim[{i}].size must be a non-negative integer, got {size!r}")
        shape.append(value)
    return shape


def _values(tensor: dict[str, Any], kind: _Kind, where: str) -> list[Any]:
    if tensor.get("tensorContent"):
        return _unpack(tensor["tensorContent"], kind, where)
    raw = tensor.get(kind.field, [])
    if not isinstance(raw, list):
        raise InvalidPayload(f"{where}.{kind.field} must be a list")
    try:
        if kind.dtype == "DT_STRING":
            for value in raw:
                base64.b64decode(value, validate=True)
            return list(raw)
        if kind.dtype == "DT_HALF":  # halfVal holds the IEEE half bit patterns as ints
            return [struct.unpack("<e", struct.pack("<H", int(v)))[0] for v in raw]
        if kind.datatype.startswith("FP"):
            return [float(v) for v in raw]
        if kind.dtype == "DT_BOOL":
            if not all(isinstance(v, bool) for v in raw):
                raise ValueError("not a boolean")
            return list(raw)
        return [_integer(v) for v in raw]
    except (TypeError, ValueError, binascii.Error, struct.error) as exc:
        raise InvalidPayload(f"{where}.{kind.field} holds a value that is not a {kind.dtype}: {exc}") from exc


def _integer(value: Any) -> int:
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError(f"{value!r} is not an integer")
    return int(value)


def _unpack(content: Any, kind: _Kind, where: str) -> list[Any]:
    if not kind.pack:
        raise InvalidPayload(f"{where}.tensorContent cannot hold {kind.dtype} values; use {kind.field}")
    try:
        raw = base64.b64decode(content, validate=True)
    except (TypeError, ValueError, binascii.Error) as exc:
        raise InvalidPayload(f"{where}.tensorContent is not base64: {exc}") from exc
    size = struct.calcsize(kind.pack)
    if len(raw) % size:
        raise InvalidPayload(f"{where}.tensorContent has {len(raw)} bytes, not a multiple of {size} ({kind.dtype})")
    return [v for (v,) in struct.iter_unpack("<" + kind.pack, raw)]
