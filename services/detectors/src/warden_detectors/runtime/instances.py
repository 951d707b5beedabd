"""A request payload (Seldon, V2 or TensorFlow; `warden_common.payloads`) -> the instance matrix detectors score.

One row per instance of the batch: a flat row's columns; a named row's (V2 inputs, TF columnar) values in the
payload's order; an image or tensor keeps its shape behind the batch axis (alibi-detect's image detectors take
`(batch, h, w, c)`). Anything that is not numbers of one shape is an `InstancesError` naming what was found.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from warden_common.payloads import ParsedInstance, PayloadShapeError, parse_request
from warden_detectors.runtime.arrays import Array


class InstancesError(ValueError):
    """The payload holds no numeric instances of one shape."""


def instance_matrix(data: Any) -> Array:
    """The instances of the request body `data` as a float array of shape (batch, ...)."""
    if isinstance(data, bytes | bytearray):
        raise InstancesError("the request payload is not JSON (binary payloads cannot be scored)")
    try:
        parsed = parse_request(data)
    except PayloadShapeError as exc:
        raise InstancesError(str(exc)) from exc
    if parsed.protocol == "unparsed" or not parsed.instances:
        raise InstancesError("the request payload has no instances in the Seldon, V2 or TensorFlow protocol")
    rows = [_row(instance) for instance in parsed.instances]
    try:
        matrix = np.asarray(rows, dtype=np.float64)
    except (ValueError, TypeError) as exc:
        raise InstancesError(f"the instances are not numbers of one shape: {exc}") from None
    if matrix.ndim == 1:  # one value per instance
        matrix = matrix.reshape(-1, 1)
    return matrix


def _row(instance: ParsedInstance) -> Any:
    if instance.columns is not None:
        return instance.columns
    if instance.named is not None:
        values = list(instance.named.values())
        return values if all(not isinstance(v, list) for v in values) else [_flat(v) for v in values]
    return instance.instance


def _flat(value: Any) -> Any:
    return value[0] if isinstance(value, list) and len(value) == 1 else value
