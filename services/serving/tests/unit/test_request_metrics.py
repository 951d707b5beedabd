"""The data plane's request metrics: observations under Seldon's names and labels, and a deleted deployment's
series taken off /metrics (others kept)."""

from __future__ import annotations

from prometheus_client import REGISTRY

from warden_common.requestmetrics import Rollups
from warden_serving.dataplane.metrics import RequestMetrics, forget_deployment


def _count(deployment: str, predictor: str, code: str) -> float | None:
    labels = {"namespace": "unit", "deployment_name": deployment, "predictor_name": predictor,
              "predictor_version": "", "service": "predictions", "method": "post", "code": code}  # fmt: skip
    return REGISTRY.get_sample_value("seldon_api_executor_server_requests_seconds_count", labels)


def test_observations_land_under_seldons_labels_and_in_the_rollups() -> None:
    rollups = Rollups()
    metrics = RequestMetrics(rollups)
    before = _count("a", "default", "200") or 0.0
    metrics.served("unit", "a", "default", "predictions", 200, 0.004)
    metrics.served("unit", "a", "canary", "predictions", 503, 0.02)
    assert _count("a", "default", "200") == before + 1 and _count("a", "canary", "503") is not None
    rows = rollups.take()
    assert {(r.key.predictor, r.key.code, r.requests) for r in rows} == {("default", 200, 1), ("canary", 503, 1)}
    RequestMetrics.called_model("unit", "a", "default", "classifier", "SKLEARN_SERVER", 200, 0.003)
    client = REGISTRY.get_sample_value(
        "seldon_api_executor_client_requests_seconds_count",
        {"namespace": "unit", "deployment_name": "a", "predictor_name": "default", "predictor_version": "",
         "service": "predictions", "model_name": "classifier", "model_image": "SKLEARN_SERVER", "model_version": "",
         "method": "post", "code": "200"},
    )  # fmt: skip
    assert client is not None and client >= 1


def test_a_deleted_deployment_loses_its_series_and_no_other() -> None:
    metrics = RequestMetrics()
    metrics.served("unit", "gone", "default", "predictions", 200, 0.004)
    RequestMetrics.called_model("unit", "gone", "default", "classifier", "SKLEARN_SERVER", 200, 0.003)
    metrics.served("unit", "kept", "default", "predictions", 200, 0.004)
    forget_deployment("unit", "gone")
    assert _count("gone", "default", "200") is None
    assert _count("kept", "default", "200") is not None
    metrics.served("unit", "gone", "default", "predictions", 200, 0.004)  # created again: from zero
    assert _count("gone", "default", "200") == 1.0
