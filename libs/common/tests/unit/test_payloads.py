"""Payload parsing: every protocol, batch splitting and data type inference (no I/O)."""

from __future__ import annotations

import pytest

from warden_common.payloads import PayloadShapeError, parse_request, parse_response, unparsed


def test_seldon_ndarray_batch_splits_into_rows_with_names() -> None:
    parsed = parse_request({"data": {"names": ["a", "b"], "ndarray": [[1, 2], [3, 4]]}})
    assert [i.instance for i in parsed.instances] == [[1, 2], [3, 4]]
    assert parsed.names == ["a", "b"]
    assert {i.data_type for i in parsed.instances} == {"tabular"}


def test_seldon_tensor_is_reshaped_into_rows() -> None:
    parsed = parse_request({"data": {"tensor": {"shape": [2, 3], "values": [1, 2, 3, 4, 5, 6]}}})
    assert [i.columns for i in parsed.instances] == [[1, 2, 3], [4, 5, 6]]


def test_seldon_tftensor_rows() -> None:
    tensor = {"dtype": "DT_FLOAT", "tensorShape": {"dim": [{"size": 2}, {"size": 2}]}, "floatVal": [1, 2, 3, 4]}
    assert [i.instance for i in parse_request({"data": {"tftensor": tensor}}).instances] == [[1, 2], [3, 4]]


@pytest.mark.parametrize(
    ("body", "data_type"),
    [
        ({"strData": "hello"}, "text"),
        ({"jsonData": {"a": 1}}, "json"),
        ({"binData": "aGVsbG8="}, "image"),
        ({"data": {"ndarray": ["this film has bad actors"]}}, "text"),
        ({"data": {"ndarray": [[[[0.1]], [[0.2]]]]}}, "image"),
        ({"data": {"ndarray": [[0.5]]}}, "number"),
    ],
)
def test_data_types(body: dict[str, object], data_type: str) -> None:
    assert parse_request(body).instances[0].data_type == data_type


def test_v2_keeps_every_input_and_output() -> None:
    request = parse_request({"inputs": [
        {"name": "x", "shape": [2, 2], "datatype": "FP32", "data": [1, 2, 3, 4]},
        {"name": "t", "shape": [2], "datatype": "BYTES", "data": ["a", "b"]},
    ]})  # fmt: skip
    assert [i.named for i in request.instances] == [{"x": [1, 2], "t": "a"}, {"x": [3, 4], "t": "b"}]
    response = parse_response({"model_name": "m", "outputs": [{"name": "y", "shape": [2], "datatype": "BYTES",
                                                               "data": ["p", "q"]}]})  # fmt: skip
    assert [(i.instance, i.data_type) for i in response.instances] == [(["p"], "text"), (["q"], "text")]


def test_tensorflow_rows_and_columns() -> None:
    assert len(parse_request({"instances": [[1, 2], [3, 4], [5, 6]]}).instances) == 3
    columnar = parse_request({"inputs": {"a": [1, 2], "b": ["x", "y"]}})
    assert [i.named for i in columnar.instances] == [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]
    assert [i.instance for i in parse_response({"predictions": [0, 1]}).instances] == [0, 1]


def test_a_seldon_message_without_data_is_a_named_error() -> None:
    with pytest.raises(PayloadShapeError, match="none of ndarray"):
        parse_request({"data": {"names": ["a"]}})


def test_unreadable_bodies_are_kept_as_base64() -> None:
    parsed = unparsed(b"\x00\x01")
    assert parsed.instances[0].instance == "AAE=" and parsed.instances[0].data_type == "binary"
