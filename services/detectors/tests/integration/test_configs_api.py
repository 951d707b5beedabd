"""The detector configs API through the real gateway (auth off explicitly): create, list, read, delete, validation
naming the field, and both ways of getting an outlier detector (a saved alibi-detect detector, reference data on
S3)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

from warden_common.auth.settings import AuthSettings
from warden_common.objectstore import ObjectStoreSettings
from warden_common.platform import Platform
from warden_detectors.outlier.saved import save_numpy_detector
from warden_detectors.runtime.arrays import Array
from warden_gateway.main import create_app as create_gateway_app
from warden_gateway.settings import GatewaySettings

from .conftest import Bench, Detectors, eventually, wait_loaded

pytestmark = pytest.mark.integration

PUBLIC = "/seldon-deploy/api/v1alpha1/namespaces/seldon"
OUTLIERS = f"{PUBLIC}/seldondeployments/iris/monitor/outlier-detector"


@asynccontextmanager
async def gateway_before(bench: Bench, detectors: Detectors) -> AsyncIterator[httpx.AsyncClient]:
    settings = GatewaySettings(auth=AuthSettings(enabled=False))
    platform = Platform(
        mode="standalone", bus=bench.bus, database_dsn=bench.dsn, local_apps={"detectors": detectors.app}
    )
    app = create_gateway_app(settings, platform)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://warden.test") as client:
            yield client


def body(name: str, **basic: Any) -> dict[str, Any]:
    return {"name": name, "namespace": "seldon", "deployment_name": "iris", "deployment_kind": "SeldonDeployment",
            "detector_type": "outlier",
            "config": {"basic": basic, "deployment": {"model_name": "iris", "protocol": "seldon.http",
                                                      "event_type": "io.seldon.serving.inference.outlier",
                                                      "reply_url": "http://seldon-request-logger"}}}  # fmt: skip


async def test_create_list_read_delete_through_the_gateway(bench: Bench, reference: tuple[Path, Array]) -> None:
    async with bench.detectors() as detectors, gateway_before(bench, detectors) as gateway:
        created = await gateway.post(OUTLIERS, json=body("iris-od", reference_uri=str(reference[0]), extra_knob=3))
        assert created.status_code == 200, created.text
        detector = created.json()
        assert detector["config"]["basic"]["extra_knob"] == 3  # what was given is kept, Warden's or not
        assert detector["config"]["deployment"]["reply_url"] == "http://seldon-request-logger"
        assert detector["status"]["state"] in ("Loading", "Loaded")
        loaded = await wait_loaded(gateway, OUTLIERS + "/iris-od")
        assert loaded["status"]["reason"] is None and loaded["detector_type"] == "outlier"

        listed = await gateway.get(OUTLIERS)
        assert [d["name"] for d in listed.json()] == ["iris-od"]
        assert (await gateway.get(f"{PUBLIC}/seldondeployments/other/monitor/outlier-detector")).json() == []
        assert (await gateway.get(f"{PUBLIC}/inferenceservices/iris/monitor/outlier-detector")).json() == []

        again = await gateway.post(OUTLIERS, json=body("iris-od", reference_uri=str(reference[0])))
        assert again.status_code == 409

        deleted = await gateway.delete(OUTLIERS + "/iris-od")
        assert deleted.status_code == 200 and deleted.json()["code"] == 200
        assert (await gateway.get(OUTLIERS + "/iris-od")).status_code == 404
        assert (await gateway.delete(OUTLIERS + "/iris-od")).status_code == 404

        isvc = f"{PUBLIC}/inferenceservices/income/monitor/outlier-detector"
        made = await gateway.post(
            isvc, json={"name": "income-od", "config": {"basic": {"reference_uri": str(reference[0])}}}
        )
        assert made.status_code == 200, made.text
        assert made.json()["deployment_kind"] == "InferenceService"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (body("od", reference_uri="/data/ref.npy", threshold_percentile=150), "config.basic.threshold_percentile"),
        (body("od", reference_uri="/data/ref.npy", algorithm="LOF"), "config.basic.algorithm"),
        (body("od"), "config.basic"),
        (body("od", storage_uri="ftp://models/od"), "config.basic"),
        (body("Not_A_Name", reference_uri="/data/ref.npy"), "name"),
        ({**body("od", reference_uri="/data/ref.npy"), "namespace": "elsewhere"}, "namespace"),
        ({**body("od", reference_uri="/data/ref.npy"), "detector_type": "drift"}, "detector_type"),
        ({"config": {}}, "name"),
        (body("od", reference_uri="/data/ref.npy", note="a\x00b"), "config"),
    ],
)
async def test_invalid_configs_are_422_naming_the_field(bench: Bench, payload: dict[str, Any], field: str) -> None:
    async with bench.detectors() as detectors, gateway_before(bench, detectors) as gateway:
        answer = await gateway.post(OUTLIERS, json=payload)
        assert answer.status_code == 422, answer.text
        assert field in answer.json()["message"]
        assert (await gateway.get(OUTLIERS)).json() == []
        bad_name = await gateway.get(OUTLIERS + "/Bad_Name")
        assert bad_name.status_code == 422 and "detectorName" in bad_name.json()["message"]


def _save_legacy_iforest(folder: Path, rows: Array) -> None:
    """An IForest saved as alibi-detect 0.13's `save_detector` writes it (its legacy format: meta + state)."""
    from alibi_detect.od import IForest

    detector = IForest()
    detector.fit(rows)
    detector.infer_threshold(rows, threshold_perc=99)
    save_numpy_detector(detector, folder)


async def test_saved_detector_from_a_file_uri_and_reference_data_from_s3(
    bench: Bench, reference: tuple[Path, Array], tmp_path: Path, s3_endpoint_url: str, unique_name: str
) -> None:
    saved = tmp_path / "od" / "IForest"
    _save_legacy_iforest(saved, reference[1])
    s3 = boto3.client("s3", endpoint_url=s3_endpoint_url, region_name="us-east-1",
                      aws_access_key_id="k", aws_secret_access_key="s")  # fmt: skip
    s3.create_bucket(Bucket=unique_name)
    s3.upload_file(str(reference[0]), unique_name, "iris/reference.npy")
    store = ObjectStoreSettings(endpoint_url=s3_endpoint_url, access_key_id="k", secret_access_key="s")
    async with bench.detectors(object_store=store) as detectors:
        path = "/api/v1alpha1/namespaces/seldon/seldondeployments/iris/monitor/outlier-detector"
        saved_basic = {"storage_uri": f"file://{tmp_path / 'od'}"}
        s3_basic = {"reference_uri": f"s3://{unique_name}/iris", "algorithm": "Mahalanobis"}
        for name, basic in (("saved", saved_basic), ("on-s3", s3_basic)):
            answer = await detectors.client.post(path, json={"name": name, "config": {"basic": basic}})
            assert answer.status_code == 200, answer.text
            await wait_loaded(detectors.client, f"{path}/{name}")
        (clean, shifted) = await bench.send_requests("iris", [[[0.1, 0.0, -0.1, 0.2]], [[8.0, -8.0, 8.0, 8.0]]])
        await eventually(lambda: len(bench.replies_to(clean)) == 2 and len(bench.replies_to(shifted)) == 2, "replies")
        for reply in bench.replies_to(shifted):
            assert reply.get_data()["data"]["is_outlier"] == [1], reply.get_source()
        for reply in bench.replies_to(clean):
            assert reply.get_data()["data"]["is_outlier"] == [0], reply.get_source()
        sources = {reply.get_source() for reply in bench.replies_to(shifted)}
        assert sources == {f"/warden/detectors/seldon/iris/outlier/{name}" for name in ("saved", "on-s3")}
