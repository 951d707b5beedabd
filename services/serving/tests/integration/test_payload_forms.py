"""Seldon's `data.tftensor` and `binData` through the data plane to real MLServer processes and back."""

from __future__ import annotations

import base64
import struct
from pathlib import Path
from typing import Any

import pytest

from warden_common.events import SELDON_REQUEST, SELDON_RESPONSE
from warden_common.topics import INFERENCE

from .harness import Serving, predictor, seldon_deployment

pytestmark = pytest.mark.integration

REVERSER = """
from mlserver import MLModel
from mlserver.codecs import Base64Codec
from mlserver.types import InferenceResponse


class Reverser(MLModel):
    async def load(self):
        return True

    async def predict(self, payload):
        blobs = Base64Codec.decode_input(payload.inputs[0])  # the exact bytes the client sent
        output = Base64Codec.encode_output("reversed", [blob[::-1] for blob in blobs], use_bytes=False)
        return InferenceResponse(model_name=self.name, outputs=[output])
"""


def dims(*sizes: int) -> dict[str, Any]:
    return {"dim": [{"size": str(s)} for s in sizes]}


async def test_tftensor_reaches_the_iris_model_and_answers_in_tftensor(
    serving: Serving, demo_models: dict[str, str]
) -> None:
    events = await serving.collect(INFERENCE, "test-tftensor")
    await serving.publish_spec("tf", seldon_deployment(serving.namespace, "tf", [
        predictor("default", "SKLEARN_SERVER", demo_models["iris-sklearn"]),
    ]))  # fmt: skip
    await serving.wait_status("tf", "Available")
    url = serving.data_url("tf", "/api/v1.0/predictions")
    tensor = {"dtype": "DT_FLOAT", "tensorShape": dims(2, 4), "floatVal": [6.8, 2.8, 4.8, 1.4, 5.1, 3.5, 1.4, 0.2]}
    response = await serving.http.post(url, json={"data": {"tftensor": tensor}})
    assert response.status_code == 200, response.text
    answer = response.json()["data"]
    assert answer["names"] == ["t:0", "t:1", "t:2"]
    assert answer["tftensor"]["dtype"] == "DT_DOUBLE" and answer["tftensor"]["tensorShape"] == dims(2, 3)
    proba = answer["tftensor"]["doubleVal"]
    assert abs(sum(proba[:3]) - 1) < 1e-6 and abs(sum(proba[3:]) - 1) < 1e-6
    assert proba[3:].index(max(proba[3:])) == 0  # the second row is a setosa

    packed_values = base64.b64encode(struct.pack("<4d", 5.1, 3.5, 1.4, 0.2)).decode()
    packed = {"dtype": "DT_DOUBLE", "tensorShape": dims(1, 4), "tensorContent": packed_values}
    same = await serving.http.post(url, json={"data": {"tftensor": packed}})
    assert same.status_code == 200, same.text
    assert same.json()["data"]["tftensor"]["doubleVal"] == pytest.approx(proba[3:])

    complex_ = {"dtype": "DT_COMPLEX64", "tensorShape": dims(1, 4), "scomplexVal": [1] * 8}
    refused = await serving.http.post(url, json={"data": {"tftensor": complex_}})
    assert refused.status_code == 400 and "DT_COMPLEX64" in refused.json()["message"]

    puid = response.headers["Seldon-Puid"]

    def logged(evs: list[Any]) -> bool:
        return {e.get_type() for e in evs if e.get_extension("requestid") == puid} == {SELDON_REQUEST, SELDON_RESPONSE}

    await events.wait_for(logged)
    by_type = {e.get_type(): e for e in events.events if e.get_extension("requestid") == puid}
    assert by_type[SELDON_REQUEST].get_data() == {"data": {"tftensor": tensor}}
    assert by_type[SELDON_RESPONSE].get_data() == response.json()


async def test_bin_data_bytes_reach_a_custom_model_exactly_and_come_back_as_bin_data(
    serving: Serving, tmp_path: Path
) -> None:
    model = tmp_path / "reverser"
    model.mkdir()
    (model / "reverser.py").write_text(REVERSER)
    await serving.publish_spec("bin", seldon_deployment(serving.namespace, "bin", [
        predictor("default", "reverser.Reverser", f"file://{model}", graph_name="reverser"),
    ]))  # fmt: skip
    await serving.wait_status("bin", "Available")
    url = serving.data_url("bin", "/api/v1.0/predictions")
    blob = bytes(range(256)) + b"\xff\xfe not utf-8"
    response = await serving.http.post(url, json={"binData": base64.b64encode(blob).decode()})
    assert response.status_code == 200, response.text
    assert base64.b64decode(response.json()["binData"]) == blob[::-1]
    bad = await serving.http.post(url, json={"binData": "%%% not base64"})
    assert bad.status_code == 400 and "base64" in bad.json()["message"]
