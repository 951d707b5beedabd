"""The pure parts of explanations: the explainer spec, column names from a prediction schema, the image grid,
the predictor alibi calls (over a mock transport), and the explainer section of a deployment. No alibi import."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import httpx
import numpy as np
import pytest
from pydantic import ValidationError

from warden_common.explainers import ExplainerSpec, explainer_section
from warden_common.upstreams import Upstreams
from warden_detectors.explainers.build import Columns, grid_segments
from warden_detectors.explainers.model import DataPlaneModel, ExplanationTimeout, ModelCallFailed
from warden_serving.demo.income_schema import prediction_schema


def test_the_seed_spelling_and_string_config_are_accepted_and_typed() -> None:
    spec = ExplainerSpec.model_validate(
        {"type": "AnchorImages", "imageShape": [8, 8, 1], "config": {"threshold": "0.9", "batch_size": "20"}}
    )
    assert spec.type == "AnchorImage" and spec.explain_kwargs() == {"threshold": 0.9, "batch_size": 20}
    assert ExplainerSpec.model_validate({"type": "AnchorText"}).wire() == {
        "type": "AnchorText", "config": {}, "segmentSize": 2, "backgroundRows": 100,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"type": "KernelShap"}, "referenceUri"),
        ({"type": "KernelShap", "referenceUri": "s3:/one-slash/x.npy"}, "malformed"),
        ({"type": "AnchorText", "config": {"nsamples": 10}}, "nsamples"),
        ({"type": "KernelShap", "modelUri": "file:///e", "config": {"nsamples": "many"}}, "must be an integer"),
        # found by the fuzzer: JSON's 1e999 is infinity, which int() cannot take (it was a 500)
        ({"type": "KernelShap", "modelUri": "file:///e", "config": {"nsamples": float("inf")}}, "nsamples must be"),
        ({"type": "AnchorTabular", "modelUri": "file:///e", "config": {"threshold": float("nan")}}, "finite"),
        ({"type": "KernelShap", "modelUri": "file:///e", "config": {"l1_reg": {"k": 1}}}, "l1_reg must be a string"),
        ({"type": "AnchorImage", "modelUri": "file:///e", "imageShape": [8, 0]}, "imageShape"),
        ({"type": "AnchorImage", "referenceUri": "/r.npy"}, "imageShape"),
    ],
)
def test_a_wrong_spec_names_what_is_wrong(body: dict[str, Any], needle: str) -> None:
    with pytest.raises(ValidationError, match=needle):
        ExplainerSpec.model_validate(body)


def test_columns_come_from_the_prediction_schema_with_category_labels_by_code() -> None:
    columns = Columns.from_schema(prediction_schema())
    assert columns.names is not None and columns.names[3] == "Marital Status" and len(columns.names) == 12
    assert columns.categories[3][2] == "Separated" and 0 not in columns.categories  # Age is numeric
    assert columns.categories[7] == ["Female", "Male"]
    as_the_catalog_answers = {"requests": [{"name": "Sex", "type": "CATEGORICAL", "categoryMap": {"1": "M", "0": "F"}}]}
    assert Columns.from_schema(as_the_catalog_answers) == Columns(["Sex"], {0: ["F", "M"]})


def test_the_grid_cuts_an_8x8_image_into_square_cells() -> None:
    cells = grid_segments(2)(np.zeros((8, 8, 1)))
    assert cells.shape == (8, 8) and len(np.unique(cells)) == 16
    assert cells[0, 0] == cells[1, 1] != cells[0, 2] and cells[7, 7] == 15
    assert len(np.unique(grid_segments(3)(np.zeros((8, 8))))) == 9  # edge cells are smaller


class LoopThread:
    """An event loop in a thread, as the service has while alibi calls the model from a worker."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)


def model_with(handler: Any) -> tuple[DataPlaneModel, LoopThread]:
    runner = LoopThread()
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler), base_url="http://serving")
    return DataPlaneModel(Upstreams({"serving": client}), runner.loop, "seldon", "income", call_timeout_s=2), runner


def test_the_model_is_called_through_the_data_plane_without_logging() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        rows = json.loads(request.content)["data"]["ndarray"]
        return httpx.Response(200, json={"data": {"ndarray": [[0.25, 0.75] for _ in rows]}})

    model, runner = model_with(handler)
    try:
        out = model(np.array([[1.0, 2.0], [3.0, 4.0]]))
    finally:
        runner.stop()
    assert out.shape == (2, 2) and out[1, 1] == 0.75
    assert seen[0].url.path == "/seldon/seldon/income/api/v1.0/predictions"
    assert seen[0].headers["Seldon-Skip-Logging"] == "true"
    assert json.loads(seen[0].content) == {"data": {"ndarray": [[1.0, 2.0], [3.0, 4.0]]}}


def test_a_failing_model_or_a_passed_deadline_raises_instead_of_hanging() -> None:
    model, runner = model_with(lambda _: httpx.Response(503, json={"message": "deployment is not ready"}))
    try:
        with pytest.raises(ModelCallFailed, match="503: deployment is not ready"):
            model(np.zeros((1, 2)))
        model.deadline = time.monotonic() - 1
        with pytest.raises(ExplanationTimeout):
            model(np.zeros((1, 2)))
    finally:
        runner.stop()


def test_the_explainer_section_is_read_from_the_predictor_with_its_model_uri() -> None:
    manifest = {"spec": {"predictors": [
        {"name": "a", "graph": {"modelUri": "s3://m/a"}},
        {"name": "b", "graph": {"modelUri": "s3://m/b"}, "explainer": {"type": "AnchorTabular"}},
    ]}}  # fmt: skip
    section = explainer_section("SeldonDeployment", manifest)
    assert section is not None and section.path == "spec.predictors[1].explainer"
    assert (section.fields, section.catalog_model_uri) == ({"type": "AnchorTabular"}, "s3://m/b")
    assert explainer_section("SeldonDeployment", {"spec": {"predictors": [{"name": "a", "explainer": {}}]}}) is None
    assert explainer_section("SeldonDeployment", {"spec": "nonsense"}) is None


def test_an_inference_service_explainer_is_its_alibi_block_with_storage_uri_as_the_saved_explainer() -> None:
    alibi = {"type": "AnchorTabular", "storageUri": "s3://e/income", "config": {"threshold": "0.9"},
             "runtimeVersion": "v0.11.2"}  # fmt: skip
    isvc = {"spec": {"predictor": {"minReplicas": 1, "sklearn": {"storageUri": "s3://m/income"}},
                     "explainer": {"alibi": alibi}}}  # fmt: skip
    section = explainer_section("InferenceService", isvc)
    assert section is not None and section.path == "spec.explainer.alibi"
    spec = section.spec()
    assert (spec.type, spec.model_uri, spec.catalog_model_uri) == ("AnchorTabular", "s3://e/income", "s3://m/income")
    assert spec.explain_kwargs() == {"threshold": 0.9}
    assert explainer_section("InferenceService", {"spec": {"explainer": {"art": {"type": "SquareAttack"}}}}) is None
    assert explainer_section("SeldonDeployment", isvc) is None  # the kind says where to look
