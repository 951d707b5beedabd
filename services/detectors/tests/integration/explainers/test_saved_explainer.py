"""An explainer saved with alibi (`explainer.save`) and loaded from a storage URI: a local folder and S3 (moto)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest

from warden_common.objectstore import ObjectStoreSettings
from warden_detectors.explainers.build import Columns
from warden_detectors.explainers.settings import ExplainSettings
from warden_serving.demo.income_schema import prediction_schema
from warden_serving.demo.train import income_data

from .conftest import Harness, Predict, patient

pytestmark = pytest.mark.integration

BASE = "/api/v1alpha1/namespaces/seldon/seldondeployments"
INCOME_ROW = [53, 4, 0, 2, 8, 4, 2, 0, 0, 0, 60, 9]
S3_KEYS = {"access_key_id": "k", "secret_access_key": "s"}


@pytest.fixture
def explain_settings(s3_endpoint_url: str) -> ExplainSettings:
    return patient(ObjectStoreSettings(endpoint_url=s3_endpoint_url, **S3_KEYS))


@pytest.fixture
def saved(models: dict[str, Predict], tmp_path: Path) -> Path:
    """An AnchorTabular fitted and saved with alibi itself, with the income schema's names and categories."""
    from alibi.explainers import AnchorTabular

    columns = Columns.from_schema(prediction_schema())
    anchors = AnchorTabular(models["income"], columns.names or [], categorical_names=columns.categories, seed=0)
    anchors.fit(income_data(prediction_schema(), 500, seed=2)[0], disc_perc=(25, 50, 75))
    folder = tmp_path / "saved-explainer"
    anchors.save(folder)
    return folder


@pytest.fixture
def saved_on_s3(saved: Path, s3_endpoint_url: str, unique_name: str) -> str:
    s3 = boto3.client("s3", endpoint_url=s3_endpoint_url, region_name="us-east-1",
                      aws_access_key_id="k", aws_secret_access_key="s")  # fmt: skip
    s3.create_bucket(Bucket=unique_name)
    for path in saved.rglob("*"):
        if path.is_file():
            s3.upload_file(str(path), unique_name, f"income/explainer/{path.relative_to(saved)}")
    return f"s3://{unique_name}/income/explainer"


async def explain_with(harness: Harness, model_uri: str) -> dict[str, Any]:
    spec = {"type": "AnchorTabular", "modelUri": model_uri, "config": {"coverage_samples": "500"}}
    put = await harness.client.put(f"{BASE}/income/explainer", json=spec)
    assert put.status_code == 200, put.text
    answer = await harness.client.post(f"{BASE}/income/explain", json={"data": {"ndarray": [INCOME_ROW]}})
    assert answer.status_code == 200, answer.text
    data: dict[str, Any] = answer.json()["data"]
    return data


async def test_a_saved_explainer_loads_from_a_local_folder_and_from_s3(
    harness: Harness, saved: Path, saved_on_s3: str
) -> None:
    local = await explain_with(harness, saved.as_uri())
    assert any(rule.startswith("Marital Status") for rule in local["anchor"]) and local["precision"] >= 0.95

    remote = await explain_with(harness, saved_on_s3)
    assert remote["anchor"] == local["anchor"]
    assert remote["precision"] >= 0.95  # sampled: close to, not equal to, the local one


async def test_a_uri_that_holds_no_saved_explainer_is_refused(harness: Harness, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "README").write_text("not an explainer")
    answer = await harness.client.put(
        f"{BASE}/income/explainer", json={"type": "AnchorTabular", "modelUri": (tmp_path / "empty").as_uri()}
    )
    assert answer.status_code == 400 and "meta.dill" in answer.json()["message"]
