"""Request metrics of the data plane, under the names Seldon Core's executor exports (what Seldon users chart).

`seldon_api_executor_server_requests_seconds`: every call a predictor served (predictions, shadow copies included,
and feedback), timed from the moment the request entered the process (`warden_common.requestmetrics.received`: auth
and body read included, as a client waits for them too); labels as the executor's plus `namespace` (one data plane
serves every namespace; on Kubernetes the scrape adds it): `deployment_name`, `predictor_name`,
`predictor_version` (the predictor's `version` annotation, as Seldon: empty here), `service` (`predictions` |
`feedback`), `method` (`post`), `code` (HTTP status).
`seldon_api_executor_client_requests_seconds`: each call from the data plane to a model server, plus
`model_name` (graph node), `model_image` (the server implementation, e.g. SKLEARN_SERVER), `model_version`.

Explainers call the model through the data plane too: their calls are counted like any prediction.
In standalone mode the same observations also go to 10-second rollups (`warden_common.requestmetrics`).
"""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import Histogram

from warden_common.requestmetrics import LATENCY_BUCKETS, RollupKey, Rollups

SERVER = Histogram(
    "seldon_api_executor_server_requests_seconds",
    "Latency of the requests the data plane served, per deployment and predictor",
    ["namespace", "deployment_name", "predictor_name", "predictor_version", "service", "method", "code"],
    buckets=LATENCY_BUCKETS,
)
CLIENT = Histogram(
    "seldon_api_executor_client_requests_seconds",
    "Latency of the data plane's calls to model servers",
    [
        "namespace", "deployment_name", "predictor_name", "predictor_version", "service",
        "model_name", "model_image", "model_version", "method", "code",
    ],
    buckets=LATENCY_BUCKETS,
)  # fmt: skip

PREDICTIONS, FEEDBACK = "predictions", "feedback"


_children: dict[tuple[str, ...], Any] = {}
"""Label values -> the histogram child (prometheus_client's own lookup costs more than the observation)."""


def _child(histogram: Histogram, values: tuple[str, ...]) -> Any:
    child = _children.get(values)
    if child is None:
        child = _children[values] = histogram.labels(*values)
    return child


def forget_deployment(namespace: str, deployment: str) -> None:
    """Remove a deleted deployment's series from /metrics (as its executor's would go with its pods); Prometheus
    keeps their history. A deployment created again under the name starts from zero."""
    for values in [v for v in _children if v[:2] == (namespace, deployment)]:
        del _children[values]
        histogram = SERVER if len(values) == 7 else CLIENT
        histogram.remove(*values)


class RequestMetrics:
    """Observes one call; `rollups` (standalone) keeps the same observations for Warden's own store."""

    def __init__(self, rollups: Rollups | None = None) -> None:
        self.rollups = rollups

    def served(self, namespace: str, deployment: str, predictor: str, service: str, code: int, seconds: float) -> None:
        _child(SERVER, (namespace, deployment, predictor, "", service, "post", str(code))).observe(seconds)
        if self.rollups is not None:
            self.rollups.add(RollupKey(namespace, deployment, predictor, service, code), seconds, time.time())

    @staticmethod
    def called_model(
        namespace: str, deployment: str, predictor: str, model: str, image: str, code: int, seconds: float
    ) -> None:
        values = (namespace, deployment, predictor, "", PREDICTIONS, model, image, "", "post", str(code))
        _child(CLIENT, values).observe(seconds)
