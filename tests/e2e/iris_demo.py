"""The iris SeldonDeployment of `warden demo`'s model, and polling, as the detector e2e tests use them."""

from __future__ import annotations

from typing import Any

from warden_common.testing.waiting import wait_until

__all__ = ["API", "AVAILABLE_WITHIN_S", "DEPLOYMENT", "PREDICT", "iris", "wait_until"]

API = "/seldon-deploy/api/v1alpha1"
DEPLOYMENT = f"{API}/namespaces/seldon/seldondeployments/iris"
PREDICT = "/seldon/seldon/iris/api/v1.0/predictions"
AVAILABLE_WITHIN_S = 120  # MLServer's first start loads the model in a fresh process


def iris(model_uri: str) -> dict[str, Any]:
    return {
        "apiVersion": "machinelearning.seldon.io/v1", "kind": "SeldonDeployment",
        "metadata": {"name": "iris", "namespace": "seldon"},
        "spec": {"predictors": [{"name": "default", "replicas": 1, "traffic": 100,
                                 "graph": {"name": "classifier", "implementation": "SKLEARN_SERVER",
                                           "modelUri": model_uri}}]},
    }  # fmt: skip
