"""Model URIs from S3 (moto) and a custom Python model class, served through the real runtime."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import boto3
import pytest

from warden_common.objectstore import ObjectNotFound, ObjectStoreSettings, object_store_for

from .harness import Serving, predictor, seldon_deployment

pytestmark = pytest.mark.integration

CUSTOM_MODEL = """
from mlserver import MLModel
from mlserver.codecs import NumpyCodec
from mlserver.types import InferenceResponse


class Doubler(MLModel):
    async def load(self):
        return True

    async def predict(self, payload):
        values = NumpyCodec.decode_input(payload.inputs[0]) * 2
        return InferenceResponse(model_name=self.name, outputs=[NumpyCodec.encode_output("doubled", values)])
"""


async def test_s3_store_fetches_folders_and_files(s3_endpoint_url: str, tmp_path: Path, unique_name: str) -> None:
    settings = ObjectStoreSettings(endpoint_url=s3_endpoint_url, access_key_id="k", secret_access_key="s")
    boto3.client("s3", endpoint_url=s3_endpoint_url, region_name="us-east-1",
                 aws_access_key_id="k", aws_secret_access_key="s").create_bucket(Bucket=unique_name)  # fmt: skip
    source = tmp_path / "model.joblib"
    source.write_bytes(b"weights")
    store = object_store_for(f"s3://{unique_name}/iris/model.joblib", settings)
    await store.put_file(source, f"s3://{unique_name}/iris/model.joblib")
    await store.put_file(source, f"s3://{unique_name}/iris/sub/extra.bin")
    folder = await store.fetch(f"s3://{unique_name}/iris", tmp_path / "folder")
    assert (folder / "model.joblib").read_bytes() == b"weights" and (folder / "sub" / "extra.bin").exists()
    single = await store.fetch(f"s3://{unique_name}/iris/model.joblib", tmp_path / "single")
    assert (single / "model.joblib").exists()
    with pytest.raises(ObjectNotFound):
        await store.fetch(f"s3://{unique_name}/missing", tmp_path / "missing")


async def test_serves_from_s3_and_a_custom_class(serving: Serving, demo_models: dict[str, str], s3_endpoint_url: str,
                                                 tmp_path: Path, unique_name: str) -> None:  # fmt: skip
    settings = ObjectStoreSettings(endpoint_url=s3_endpoint_url, access_key_id="k", secret_access_key="s")
    boto3.client("s3", endpoint_url=s3_endpoint_url, region_name="us-east-1",
                 aws_access_key_id="k", aws_secret_access_key="s").create_bucket(Bucket=unique_name)  # fmt: skip
    local = Path(urlparse(demo_models["iris-sklearn"]).path) / "model.joblib"
    await object_store_for("s3://x", settings).put_file(local, f"s3://{unique_name}/iris/model.joblib")
    custom = tmp_path / "custom"
    custom.mkdir()
    (custom / "doubler.py").write_text(CUSTOM_MODEL)
    serving.app.state.runtime._store = settings  # the runtime reads s3:// through this endpoint
    spec = seldon_deployment(serving.namespace, "sources", [
        predictor("default", "SKLEARN_SERVER", f"s3://{unique_name}/iris", traffic=100),
        predictor("custom", "doubler.Doubler", f"file://{custom}", shadow=True, graph_name="doubler"),
    ])  # fmt: skip
    await serving.publish_spec("sources", spec)
    await serving.wait_status("sources", "Available")
    response = await serving.http.post(serving.data_url("sources", "/api/v1.0/predictions"),
                                       json={"data": {"ndarray": [[6.8, 2.8, 4.8, 1.4]]}})  # fmt: skip
    assert response.status_code == 200, response.text
    assert len(response.json()["data"]["ndarray"][0]) == 3
    resources = await serving.resources("sources")
    custom_entry = next(p for p in resources["predictors"] if p["name"] == "custom")
    assert custom_entry["ready_replicas"] == 1
    url = f"{custom_entry['replicas'][0]['port']}"
    direct = await serving.http.post(
        f"http://127.0.0.1:{url}/v2/models/doubler/infer",
        json={"inputs": [{"name": "x", "shape": [2], "datatype": "FP64", "data": [1.5, 2.0]}]},
    )
    assert direct.json()["outputs"][0]["data"] == [3.0, 4.0]
