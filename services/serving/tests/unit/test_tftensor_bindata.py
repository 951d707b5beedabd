"""Seldon `data.tftensor` and `binData` to MLServer's V2 and back."""

from __future__ import annotations

import base64
import struct
from typing import Any

import pytest

from warden_serving.dataplane.arrays import InvalidPayload
from warden_serving.dataplane.protocols import seldon_to_v2, v2_to_seldon
from warden_serving.dataplane.tftensor import tftensor_to_v2, v2_to_tftensor
from warden_serving.specs import PredictorPlan

SKLEARN = PredictorPlan("default", "classifier", "SKLEARN_SERVER", "/m")
CUSTOM = PredictorPlan("default", "echo", "echo.Length", "/m")


def dims(*sizes: int) -> dict[str, Any]:
    return {"dim": [{"size": str(s)} for s in sizes]}


@pytest.mark.parametrize(
    ("tensor", "datatype", "data"),
    [
        ({"dtype": "DT_FLOAT", "tensorShape": dims(1, 2), "floatVal": [1.5, 2]}, "FP32", [1.5, 2.0]),
        ({"dtype": "DT_DOUBLE", "tensorShape": dims(2), "doubleVal": [0.25, -1]}, "FP64", [0.25, -1.0]),
        ({"dtype": "DT_INT32", "tensorShape": dims(3), "intVal": [1, -2, 3]}, "INT32", [1, -2, 3]),
        ({"dtype": "DT_INT64", "tensorShape": dims(2), "int64Val": ["9007199254740993", "-4"]}, "INT64",
         [9007199254740993, -4]),
        ({"dtype": "DT_UINT8", "tensorShape": dims(2), "intVal": [0, 255]}, "UINT8", [0, 255]),
        ({"dtype": "DT_BOOL", "tensorShape": dims(2), "boolVal": [True, False]}, "BOOL", [True, False]),
        ({"dtype": "DT_HALF", "tensorShape": dims(1), "halfVal": [0x3C00]}, "FP16", [1.0]),  # 1.0 in half bits
        ({"dtype": "DT_FLOAT", "tensorShape": dims(2, 2), "floatVal": [7]}, "FP32", [7.0] * 4),  # one value fills
        ({"dtype": "DT_FLOAT", "tensorShape": {"dim": [{"size": 2}]},
          "tensorContent": base64.b64encode(struct.pack("<2f", 0.5, 4)).decode()}, "FP32", [0.5, 4.0]),
    ],
)  # fmt: skip
def test_typed_value_lists_and_packed_content_become_v2(tensor: dict[str, Any], datatype: str, data: list[Any]) -> None:
    v2 = tftensor_to_v2(tensor, "input-0")
    assert (v2["datatype"], v2["data"]) == (datatype, data)
    assert v2["shape"] == [int(d["size"]) for d in tensor["tensorShape"]["dim"]]


def test_strings_stay_base64_bytes() -> None:
    hello = base64.b64encode(b"\x00hello").decode()
    v2 = tftensor_to_v2({"dtype": "DT_STRING", "tensorShape": dims(1), "stringVal": [hello]}, "x")
    assert v2 == {"name": "x", "shape": [1], "datatype": "BYTES", "data": [hello],
                  "parameters": {"content_type": "base64"}}  # fmt: skip
    back = v2_to_tftensor({"datatype": "BYTES", "shape": [1], "data": ["hi"]})
    assert back["stringVal"] == [base64.b64encode(b"hi").decode()] and back["dtype"] == "DT_STRING"


@pytest.mark.parametrize(
    ("tensor", "words"),
    [
        ({"dtype": "DT_COMPLEX64", "tensorShape": dims(1), "scomplexVal": [1, 2]}, "V2 has a datatype"),
        ({"dtype": "DT_FLOAT", "floatVal": [1.0]}, "tensorShape is required"),
        ({"dtype": "DT_FLOAT", "tensorShape": {"unknownRank": True}, "floatVal": [1.0]}, "unknown rank"),
        ({"dtype": "DT_FLOAT", "tensorShape": dims(3), "floatVal": [1.0, 2.0]}, "needs 3 values"),
        ({"dtype": "DT_INT32", "tensorShape": dims(1), "intVal": [1.5]}, "not a DT_INT32"),
        ({"dtype": "DT_FLOAT", "tensorShape": {"dim": [{"size": "-1"}]}, "floatVal": [1.0]}, "non-negative"),
        ({"dtype": "DT_FLOAT", "tensorShape": dims(1), "tensorContent": "AAAA"}, "multiple of 4"),
        ({"dtype": "DT_STRING", "tensorShape": dims(1), "stringVal": ["not base64!"]}, "not a DT_STRING"),
        ("nope", "must be an object"),
    ],
)
def test_tensors_v2_cannot_carry_are_a_400_with_the_reason(tensor: Any, words: str) -> None:
    with pytest.raises(InvalidPayload, match=words):
        tftensor_to_v2(tensor, "input-0")


def test_a_seldon_tftensor_call_answers_in_tftensor_form() -> None:
    body = {"data": {"tftensor": {"dtype": "DT_FLOAT", "tensorShape": dims(1, 4), "floatVal": [5.1, 3.5, 1.4, 0.2]}}}
    request, shape = seldon_to_v2(body, SKLEARN)
    assert request["inputs"][0]["datatype"] == "FP32" and request["outputs"] == [{"name": "predict_proba"}]
    output = {"name": "predict_proba", "shape": [1, 3], "datatype": "FP64", "data": [0.9, 0.05, 0.05]}
    reply = v2_to_seldon({"outputs": [output]}, shape, "p", SKLEARN)
    assert reply["data"] == {
        "names": ["t:0", "t:1", "t:2"],
        "tftensor": {"dtype": "DT_DOUBLE", "tensorShape": dims(1, 3), "doubleVal": [0.9, 0.05, 0.05]},
    }
    labels = v2_to_seldon({"outputs": [{"shape": [2], "datatype": "INT64", "data": [0, 2]}]}, shape, "p", SKLEARN)
    assert labels["data"]["tftensor"] == {"dtype": "DT_INT64", "tensorShape": dims(2), "int64Val": ["0", "2"]}
    with pytest.raises(InvalidPayload, match="cannot carry"):
        v2_to_seldon({"outputs": [{"shape": [1], "datatype": "FP99", "data": [1]}]}, shape, "p", SKLEARN)


def test_bin_data_goes_as_base64_bytes_and_bytes_come_back_as_bin_data() -> None:
    payload = base64.b64encode(bytes(range(256))).decode()
    request, shape = seldon_to_v2({"binData": payload}, CUSTOM)
    assert request == {"inputs": [{"name": "input-0", "shape": [1], "datatype": "BYTES", "data": [payload],
                                   "parameters": {"content_type": "base64"}}]}  # fmt: skip
    as_bytes = {"outputs": [{"shape": [1], "datatype": "BYTES", "data": ["aGk="],
                             "parameters": {"content_type": "base64"}}]}  # fmt: skip
    assert v2_to_seldon(as_bytes, shape, "p", CUSTOM)["binData"] == "aGk="
    as_text = {"outputs": [{"shape": [1], "datatype": "BYTES", "data": ["hi"]}]}
    assert v2_to_seldon(as_text, shape, "p", CUSTOM)["binData"] == "aGk="
    numbers = {"outputs": [{"shape": [1], "datatype": "INT64", "data": [256]}]}
    assert v2_to_seldon(numbers, shape, "p", CUSTOM)["data"]["ndarray"] == [256]
    with pytest.raises(InvalidPayload, match="base64"):
        seldon_to_v2({"binData": "@@@"}, CUSTOM)
    with pytest.raises(InvalidPayload, match="base64 string"):
        seldon_to_v2({"binData": 12}, CUSTOM)
