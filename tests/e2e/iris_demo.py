"""The iris SeldonDeployment of `warden demo`'s model, and polling, as the detector e2e tests use them."""

from __future__ import annotations

from typing import Any

from warden_common.testing.waiting import wait_until

__all__ = ["API", "AVAILABLE_WITHIN_S", "DEPLOYMENT", "LOADED_WITHIN_S", "PREDICT", "iris", "wait_until"]

API = "/seldon-deploy/api/v1alpha1"
DEPLOYMENT = f"{API}/namespaces/seldon/seldondeployments/iris"
PREDICT = "/seldon/seldon/iris/api/v1.0/predictions"
AVAILABLE_WITHIN_S = 120  # MLServer's first start loads the model in a fresh process
LOADED_WITHIN_S = 120
"""A process's first detector imports alibi-detect (its package imports all of it, transformers included): 8 s of
CPU, and 28-64 s of wall time measured at a load average of 10-12 on two cores."""


def iris(model_uri: str) -> dict[str, Any]:
    return {
        "apiVersion": "machinelearning.seldon.io/v1", "kind": "SeldonDeployment",
        "metadata": {"name": "iris", "namespace": "seldon"},
        "spec": {"predictors": [{"name": "default", "replicas": 1, "traffic": 100,
                                 "graph": {"name": "classifier", "implementation": "SKLEARN_SERVER",
                                           "modelUri": model_uri}}]},
    }  # fmt: skip
