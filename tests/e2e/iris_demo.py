"""The iris SeldonDeployment of `warden demo`'s model, and polling, as the detector e2e tests use them."""

from __future__ import annotations

import time
from typing import Any

API = "/seldon-deploy/api/v1alpha1"
DEPLOYMENT = f"{API}/namespaces/seldon/seldondeployments/iris"
PREDICT = "/seldon/seldon/iris/api/v1.0/predictions"
AVAILABLE_WITHIN_S = 120  # MLServer's first start loads the model in a fresh process


def wait_until(what: str, check: Any, within_s: float) -> Any:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError(f"not within {within_s}s: {what}")


def iris(model_uri: str) -> dict[str, Any]:
    return {
        "apiVersion": "machinelearning.seldon.io/v1", "kind": "SeldonDeployment",
        "metadata": {"name": "iris", "namespace": "seldon"},
        "spec": {"predictors": [{"name": "default", "replicas": 1, "traffic": 100,
                                 "graph": {"name": "classifier", "implementation": "SKLEARN_SERVER",
                                           "modelUri": model_uri}}]},
    }  # fmt: skip
