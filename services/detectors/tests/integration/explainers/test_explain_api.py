"""Explanations through the API: explainers added, replaced, removed; the four explainer kinds; stored results;
the model called through the data plane without logging; a failing model is an error, not a hang."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sklearn.datasets import load_digits

from warden_serving.demo.income_schema import CLASSES, FEATURES, prediction_schema

from .conftest import Harness, Predict

pytestmark = pytest.mark.integration

BASE = "/api/v1alpha1/namespaces/seldon/seldondeployments"
INCOME_ROW = [53, 4, 0, 2, 8, 4, 2, 0, 0, 0, 60, 9]
SMALL_ANCHORS = {"coverage_samples": "500", "batch_size": "50"}


async def put_explainer(harness: Harness, name: str, spec: dict[str, Any]) -> dict[str, Any]:
    answer = await harness.client.put(f"{BASE}/{name}/explainer", json=spec)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def explain(harness: Harness, name: str, payload: dict[str, Any]) -> dict[str, Any]:
    answer = await harness.client.post(f"{BASE}/{name}/explain", json=payload)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Location"] == f"explanations/{answer.json()['explanationId']}"
    body: dict[str, Any] = answer.json()
    return body


async def test_income_anchor_names_features_and_shows_examples_for_and_against(harness: Harness) -> None:
    spec = {"type": "AnchorTabular", "referenceUri": harness.references["income"],
            "predictionSchema": prediction_schema(), "config": SMALL_ANCHORS}  # fmt: skip
    assert (await put_explainer(harness, "income", spec))["source"] == "api"
    payload = {"data": {"names": list(FEATURES), "ndarray": [INCOME_ROW]}}
    result = await explain(harness, "income", payload)

    data = result["data"]
    assert data["anchor"] and all(any(rule.startswith(f) for f in FEATURES) for rule in data["anchor"])
    assert any("Separated" in rule for rule in data["anchor"])  # category labels from the prediction schema
    assert data["precision"] >= 0.95 and 0 < data["coverage"] <= 1
    examples = data["raw"]["examples"][-1]
    assert examples["covered_true"] and examples["covered_false"] is not None
    assert len(examples["covered_true"][0]) == len(FEATURES)
    assert data["raw"]["prediction"][0] == 0 and CLASSES[0] == "<=$50K"
    # Every model call went through the data plane marked not to be logged.
    calls = [c for c in harness.serving.calls if c["deployment"] == "income"]
    assert calls and all(c.get("seldon-skip-logging") == "true" for c in calls)

    stored = await harness.client.get(f"{BASE}/income/explanations/{result['explanationId']}")
    assert stored.status_code == 200 and stored.json()["status"] == "succeeded"
    assert stored.json()["explanation"]["data"]["anchor"] == data["anchor"]


async def test_kernel_shap_values_add_up_to_the_prediction_minus_the_baseline(
    harness: Harness, models: dict[str, Predict]
) -> None:
    spec = {"type": "KernelShap", "referenceUri": harness.references["income"], "backgroundRows": 50,
            "predictionSchema": prediction_schema()}  # fmt: skip
    await put_explainer(harness, "income", spec)
    result = await explain(harness, "income", {"data": {"ndarray": [INCOME_ROW]}})
    data = result["data"]
    probabilities = models["income"]([INCOME_ROW])[0]
    for label, (values, baseline) in enumerate(zip(data["shap_values"], data["expected_value"], strict=True)):
        assert len(values[0]) == len(FEATURES)
        assert abs(sum(values[0]) - (probabilities[label] - baseline)) < 1e-6


async def test_text_anchor_of_a_negative_review_is_the_word_bad(harness: Harness) -> None:
    await put_explainer(harness, "text", {"type": "AnchorText", "config": {"batch_size": "50"}})
    payload = {"data": {"names": ["Text review"], "ndarray": ["this film has bad actors"]}}
    data = (await explain(harness, "text", payload))["data"]
    assert "bad" in data["anchor"] and data["precision"] >= 0.95
    assert data["raw"]["prediction"][0] == 0  # negative


async def test_digit_anchor_is_made_of_grid_segments_with_a_precision(harness: Harness) -> None:
    spec = {"type": "AnchorImages", "imageShape": [8, 8, 1], "segmentSize": 2, "config": SMALL_ANCHORS}
    assert (await put_explainer(harness, "digits", spec))["type"] == "AnchorImage"
    pixels, labels = load_digits(return_X_y=True)
    data = (await explain(harness, "digits", {"data": {"ndarray": [pixels[0].tolist()]}}))["data"]
    segments = np.asarray(data["segments"])
    assert segments.shape == (8, 8) and len(np.unique(segments)) == 16  # 2x2 cells
    assert data["raw"]["feature"] and set(data["raw"]["feature"]) <= set(np.unique(segments).tolist())
    assert data["precision"] >= 0.95 and data["raw"]["prediction"][0] == labels[0]


async def test_a_failing_model_is_an_explanation_error_stored_as_failed(harness: Harness) -> None:
    spec = {"type": "AnchorTabular", "referenceUri": harness.references["income"], "config": SMALL_ANCHORS}
    await put_explainer(harness, "broken", spec)
    answer = await harness.client.post(f"{BASE}/broken/explain", json={"data": {"ndarray": [INCOME_ROW]}})
    assert answer.status_code == 502, answer.text
    assert answer.json()["reason"] == "explanation_model_error" and "not ready" in answer.json()["message"]
    stored = await harness.client.get(f"{BASE}/broken/{answer.headers['Location']}")
    assert stored.json()["status"] == "failed" and stored.json()["error"]["reason"] == "explanation_model_error"


async def test_explainers_are_replaced_and_removed(harness: Harness) -> None:
    await put_explainer(harness, "income", {"type": "AnchorText"})
    shap = {"type": "KernelShap", "referenceUri": harness.references["income"]}
    replaced = await put_explainer(harness, "income", shap)
    assert replaced["type"] == "KernelShap"
    assert (await harness.client.get(f"{BASE}/income/explainer")).json()["type"] == "KernelShap"
    assert (await harness.client.delete(f"{BASE}/income/explainer")).status_code == 200
    gone = await harness.client.get(f"{BASE}/income/explainer")
    assert gone.status_code == 404 and gone.json()["reason"] == "explainer_not_found"
    assert (await harness.client.delete(f"{BASE}/income/explainer")).status_code == 404


@pytest.mark.parametrize(
    ("spec", "status", "where"),
    [
        ({"type": "Lime"}, 422, "type"),
        ({"type": "AnchorTabular"}, 422, "referenceUri"),
        ({"type": "AnchorText", "config": {"thresold": "0.9"}}, 422, "thresold"),
        ({"type": "AnchorText", "config": {"threshold": "high"}}, 422, "threshold"),
        ({"type": "AnchorImage"}, 422, "imageShape"),
        ({"type": "KernelShap", "referenceUri": "/nowhere/ref.npy"}, 404, "/nowhere/ref.npy"),
        ({"type": "KernelShap", "referenceUri": "ftp://x/ref.npy"}, 422, "ftp://"),
    ],
)
async def test_a_wrong_explainer_is_refused_naming_what_is_wrong(
    harness: Harness, spec: dict[str, Any], status: int, where: str
) -> None:
    answer = await harness.client.put(f"{BASE}/income/explainer", json=spec)
    assert answer.status_code == status, answer.text
    assert where in answer.text and {"code", "reason", "message"} <= set(answer.json())


async def test_explaining_without_an_explainer_or_with_a_bad_instance_is_a_client_error(harness: Harness) -> None:
    missing = await harness.client.post(f"{BASE}/income/explain", json={"data": {"ndarray": [INCOME_ROW]}})
    assert missing.status_code == 404 and missing.json()["reason"] == "explainer_not_found"
    await put_explainer(harness, "text", {"type": "AnchorText"})
    out_of_range = await harness.client.post(
        f"{BASE}/text/explain", params={"instance": 3}, json={"data": {"ndarray": ["good film"]}}
    )
    assert out_of_range.status_code == 400 and "instance 3" in out_of_range.json()["message"]
    numbers = await harness.client.post(f"{BASE}/text/explain", json={"data": {"ndarray": [[1, 2]]}})
    assert numbers.status_code == 400 and numbers.json()["reason"] == "invalid_instance"
    nothing = await harness.client.post(f"{BASE}/text/explain")
    assert nothing.status_code == 400 and "requestId" in nothing.json()["message"]
