"""What a parsed payload looks like, whatever protocol it came in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

DataType = Literal["tabular", "text", "image", "json", "number", "tensor", "binary"]


# Not frozen: one is made per row, and a frozen dataclass costs several times more to construct.
@dataclass(slots=True)
class ParsedInstance:
    """One row of a batch.

    `columns`: the row's scalar values in order when it is a flat row (named later, by the prediction schema or
    the payload's names); `named`: elements the protocol already names (V2 inputs, TF columnar inputs).
    """

    instance: Any
    data_type: DataType
    columns: list[Any] | None = None
    named: dict[str, Any] | None = None


@dataclass(slots=True)
class ParsedPayload:
    protocol: Literal["seldon", "v2", "tensorflow", "unparsed"]
    instances: list[ParsedInstance]
    names: list[str] = field(default_factory=list)


def row_dims(value: Any) -> int:
    """Nesting depth of a list (0 for a scalar), following first elements."""
    depth = 0
    while isinstance(value, list) and value:
        depth += 1
        value = value[0]
    return depth


_SCALAR_TYPES = frozenset({str, int, float, bool, type(None)})
"""What decoded JSON holds as a scalar (exact types: a set lookup per column is cheaper than isinstance)."""


def is_scalar(value: Any) -> bool:
    return type(value) in _SCALAR_TYPES


def instance_of(row: Any) -> ParsedInstance:
    """Classify one row (tabular / text / number / image / tensor / json) and keep its flat columns."""
    if isinstance(row, list):  # the common case first
        if _SCALAR_TYPES.issuperset(map(type, row)):  # every column a scalar (`map`: no Python loop)
            if len(row) == 1:
                return ParsedInstance(row, "text" if isinstance(row[0], str) else "number", columns=row)
            return ParsedInstance(row, "tabular", columns=row)
        # An instance of 3 or more dimensions (4 with the batch) is an image, as the original logger decided.
        return ParsedInstance(row, "image" if row_dims(row) >= 3 else "tensor")
    if isinstance(row, dict):
        return ParsedInstance(row, "json")
    if isinstance(row, str):
        return ParsedInstance(row, "text", columns=[row])
    if isinstance(row, bool | int | float) or row is None:
        return ParsedInstance(row, "number", columns=[row])
    return ParsedInstance(row, "json")


def reshape(values: list[Any], shape: list[int]) -> Any:
    """Row-major flat `values` -> nested lists of `shape` (a shape that does not fit keeps the flat list)."""
    total = 1
    for size in shape:
        total *= size
    if not shape or total != len(values):
        return values
    if len(shape) == 1:
        return list(values)
    step = total // shape[0]
    return [reshape(values[i * step : (i + 1) * step], shape[1:]) for i in range(shape[0])]
