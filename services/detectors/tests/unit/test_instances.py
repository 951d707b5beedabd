"""Request payloads of the three protocols -> the instance matrix detectors score."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from warden_detectors.runtime.instances import InstancesError, instance_matrix


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"data": {"ndarray": [[1, 2, 3], [4, 5, 6]]}}, [[1, 2, 3], [4, 5, 6]]),
        ({"data": {"ndarray": [1, 2, 3]}}, [[1, 2, 3]]),
        ({"data": {"names": ["a", "b"], "tensor": {"shape": [2, 2], "values": [1, 2, 3, 4]}}}, [[1, 2], [3, 4]]),
        ({"data": {"tftensor": {"tensorShape": {"dim": [{"size": 1}, {"size": 2}]}, "floatVal": [0.5, 1.5]}}},
         [[0.5, 1.5]]),
        ({"instances": [[1.0, 2.0], [3.0, 4.0]]}, [[1, 2], [3, 4]]),
        ({"inputs": [{"name": "x", "shape": [2, 3], "datatype": "FP32", "data": [1, 2, 3, 4, 5, 6]}]},
         [[1, 2, 3], [4, 5, 6]]),
        ({"inputs": [{"name": "a", "shape": [2], "datatype": "FP32", "data": [1, 2]},
                     {"name": "b", "shape": [2], "datatype": "FP32", "data": [3, 4]}]}, [[1, 3], [2, 4]]),
    ],
)  # fmt: skip
def test_rows_of_every_protocol(payload: dict[str, Any], expected: list[list[float]]) -> None:
    matrix = instance_matrix(payload)
    assert matrix.dtype == np.float64
    assert matrix.tolist() == expected


def test_images_keep_their_shape_behind_the_batch_axis() -> None:
    image = [[[0.0] * 3] * 8] * 8
    assert instance_matrix({"instances": [image, image]}).shape == (2, 8, 8, 3)


@pytest.mark.parametrize(
    "payload",
    [
        {"data": {"ndarray": [["a", "b"]]}},
        {"strData": "hello"},
        {"data": {"ndarray": [[1, 2], [3]]}},
        {"meta": {}},
        b"\x00binary",
    ],
)
def test_what_cannot_be_scored_says_why(payload: Any) -> None:
    with pytest.raises(InstancesError):
        instance_matrix(payload)
