"""Nested lists <-> (shape, flat values), with the checks a payload needs before it reaches a model."""

from __future__ import annotations

import math
from typing import Any

from warden_common.errors import BadRequest


class InvalidPayload(BadRequest):
    code = "invalid_payload"


def flatten(value: Any, where: str) -> tuple[list[int], list[Any]]:
    """Shape and row-major values of a rectangular nested list; `InvalidPayload` if ragged or empty."""
    if not isinstance(value, list):
        return [], [value]
    if not value:
        raise InvalidPayload(f"{where} is empty")
    shapes_values = [flatten(item, f"{where}[{i}]") for i, item in enumerate(value)]
    first = shapes_values[0][0]
    for i, (shape, _) in enumerate(shapes_values):
        if shape != first:
            raise InvalidPayload(f"{where} is ragged: {where}[{i}] has shape {shape}, {where}[0] has {first}")
    flat = [v for _, values in shapes_values for v in values]
    return [len(value), *first], flat


def datatype_of(values: list[Any], where: str) -> str:
    """FP64 for numbers (bools count as numbers), BYTES for strings; mixing them is an error."""
    if all(isinstance(v, bool | int | float) and not isinstance(v, str) for v in values):
        for v in values:
            if isinstance(v, float) and not math.isfinite(v):
                raise InvalidPayload(f"{where} holds a non-finite number ({v})")
        return "FP64"
    if all(isinstance(v, str) for v in values):
        return "BYTES"
    kinds = sorted({type(v).__name__ for v in values})
    raise InvalidPayload(f"{where} mixes value types {kinds}: a tensor holds numbers or strings, not both")


def reshape(flat: list[Any], shape: list[int]) -> Any:
    """Row-major values back into nested lists of `shape`."""
    if len(shape) <= 1:
        return list(flat)
    step = len(flat) // shape[0] if shape[0] else 0
    return [reshape(flat[i * step : (i + 1) * step], shape[1:]) for i in range(shape[0])]


def element_count(shape: list[int]) -> int:
    count = 1
    for dim in shape:
        count *= dim
    return count


def check_shape(shape: Any, count: int, where: str) -> list[int]:
    if not isinstance(shape, list) or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
        raise InvalidPayload(f"{where}.shape must be a list of non-negative integers, got {shape!r}")
    if element_count(shape) != count:
        raise InvalidPayload(f"{where}: shape {shape} needs {element_count(shape)} values but {count} were given")
    return shape
