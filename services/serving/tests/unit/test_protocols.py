"""Payload translation and spec parsing, without servers."""

from __future__ import annotations

import pytest

from warden_common.errors import Unprocessable
from warden_serving.dataplane.arrays import InvalidPayload
from warden_serving.dataplane.protocols import check_v2_request, seldon_to_v2, v1_to_v2, v2_to_seldon, v2_to_v1
from warden_serving.specs import PredictorPlan, plan_from_spec

SKLEARN = PredictorPlan("default", "classifier", "SKLEARN_SERVER", "/m")


def test_seldon_ndarray_round_trip() -> None:
    request, shape = seldon_to_v2({"data": {"names": ["a", "b"], "ndarray": [[1, 2], [3, 4]]}}, SKLEARN)
    assert request == {
        "inputs": [{"name": "input-0", "shape": [2, 2], "datatype": "FP64", "data": [1, 2, 3, 4]}],
        "outputs": [{"name": "predict_proba"}],
    }
    output = {"name": "p", "shape": [2, 2], "datatype": "FP64", "data": [0.1, 0.9, 0.8, 0.2]}
    reply = v2_to_seldon({"outputs": [output]}, shape, "puid-1", SKLEARN)
    assert reply["data"] == {"names": ["t:0", "t:1"], "ndarray": [[0.1, 0.9], [0.8, 0.2]]}
    assert reply["meta"]["puid"] == "puid-1"


def test_seldon_tensor_keeps_tensor_form() -> None:
    _, shape = seldon_to_v2({"data": {"tensor": {"shape": [1, 2], "values": [1.0, 2.0]}}}, SKLEARN)
    reply = v2_to_seldon({"outputs": [{"shape": [1, 2], "datatype": "FP64", "data": [0.3, 0.7]}]}, shape, "p", SKLEARN)
    assert reply["data"]["tensor"] == {"shape": [1, 2], "values": [0.3, 0.7]}


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ({"data": {"ndarray": [[1], [1, 2]]}}, "ragged"),
        ({"data": {"ndarray": [[1, "x"]]}}, "mixes"),
        ({"data": {"tensor": {"shape": [3], "values": [1.0]}}}, "needs 3 values"),
        ({"strData": "a", "jsonData": {}}, "exactly one"),
        ({"data": {"ndarray": []}}, "empty"),
        ({"data": {"ndarray": [[float("nan")]]}}, "non-finite"),
    ],
)
def test_bad_seldon_payloads(payload: object, words: str) -> None:
    with pytest.raises(InvalidPayload, match=words):
        seldon_to_v2(payload, SKLEARN)


def test_v1_and_v2() -> None:
    assert v1_to_v2({"instances": [[1, 2]]})["inputs"][0]["shape"] == [1, 2]
    assert v2_to_v1({"outputs": [{"shape": [2, 1], "datatype": "INT64", "data": [0, 2]}]}) == {"predictions": [0, 2]}
    with pytest.raises(InvalidPayload, match="shape"):
        check_v2_request({"inputs": [{"name": "x", "shape": [2, 2], "datatype": "FP32", "data": [1, 2, 3]}]})
    with pytest.raises(InvalidPayload, match="datatype"):
        check_v2_request({"inputs": [{"name": "x", "shape": [1], "datatype": "BYTES", "data": [1]}]})


def test_plan_from_seldon_and_kserve_specs() -> None:
    sdep = {"spec": {"predictors": [
        {"name": "default", "traffic": 90,
         "graph": {"name": "c", "implementation": "SKLEARN_SERVER", "modelUri": "/a"}},
        {"name": "canary", "traffic": 10, "graph": {"name": "c", "implementation": "XGBOOST_SERVER", "modelUri": "/b"}},
        {"name": "mirror", "shadow": True, "graph": {"name": "c", "implementation": "my.Model", "modelUri": "/c"}},
    ]}}  # fmt: skip
    plan = plan_from_spec("ns", "d", "SeldonDeployment", sdep)
    assert [(p.name, p.traffic, p.shadow) for p in plan.predictors] == [
        ("default", 90, False), ("canary", 10, False), ("mirror", 0, True)
    ]  # fmt: skip
    assert plan.predictors[2].is_custom
    isvc = {"spec": {"predictor": {"sklearn": {"storageUri": "s3://b/iris", "protocolVersion": "v2"}}}}
    kplan = plan_from_spec("ns", "d", "InferenceService", isvc)
    assert kplan.protocol == "v2" and kplan.predictors[0].traffic == 100
    with pytest.raises(Unprocessable, match="implementation"):
        plan_from_spec("ns", "d", "SeldonDeployment", {"spec": {"predictors": [{"graph": {"modelUri": "/x"}}]}})
