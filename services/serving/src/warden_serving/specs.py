"""What the runtime needs from a SeldonDeployment / InferenceService: one `PredictorPlan` per predictor.

Seldon: `spec.predictors[]` with `graph.{name, implementation, modelUri, parameters}`, `replicas`, `traffic`,
`shadow`; `spec.protocol` (seldon | tensorflow | v2 | kfserving). KServe: `spec.predictor` with one framework
block (`sklearn`, `xgboost`, or `model.modelFormat.name`) and its `storageUri`, served as predictor `default`
(plus `canary` during a KServe canary rollout, see `_kserve_predictors`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from warden_common.errors import Unprocessable
from warden_common.model_servers import (
    BY_IMPLEMENTATION,
    BY_MODEL_FORMAT,
    ModelServer,
    accepted_model_formats,
    implementation_problem,
)

CANARY_PERCENT = "canaryTrafficPercent"


@dataclass(frozen=True)
class PredictorPlan:
    name: str
    model_name: str
    """Graph node name: the `modelid` of events and the V2 model name inside MLServer."""
    implementation: str
    """SKLEARN_SERVER, XGBOOST_SERVER, or `module.Class` of a custom MLServer model in the model folder."""
    model_uri: str
    replicas: int = 1
    traffic: int = 0
    shadow: bool = False
    parameters: dict[str, str] = field(default_factory=dict)

    @property
    def server(self) -> ModelServer | None:
        """The prepackaged server, None for a custom `module.Class`."""
        return BY_IMPLEMENTATION.get(self.implementation)

    @property
    def mlserver_implementation(self) -> str:
        return self.server.mlserver_class if self.server else self.implementation

    @property
    def is_custom(self) -> bool:
        return self.server is None

    def fingerprint(self) -> str:
        """Same fingerprint = same processes can serve it (a promoted canary keeps running, never restarts)."""
        material = json.dumps(
            [self.implementation, self.model_uri, self.replicas, sorted(self.parameters.items())], sort_keys=True
        )
        return hashlib.sha256(material.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class DeploymentPlan:
    namespace: str
    name: str
    kind: str
    protocol: str
    predictors: tuple[PredictorPlan, ...]
    uid: str | None = None
    """The deployment's `metadata.uid`: its events carry it so the log keeps each life of a name apart."""

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"

    def live(self) -> list[PredictorPlan]:
        return [p for p in self.predictors if not p.shadow]

    def shadows(self) -> list[PredictorPlan]:
        return [p for p in self.predictors if p.shadow]


def plan_from_spec(namespace: str, name: str, kind: str, spec: dict[str, Any]) -> DeploymentPlan:
    """The runtime plan of a deployment object; `Unprocessable` naming the field if it cannot be served locally."""
    body = spec.get("spec") or {}
    predictors: tuple[PredictorPlan, ...]
    if kind == "InferenceService":
        predictors = _kserve_predictors(spec)
        protocol = "v2" if _kserve_protocol(body.get("predictor") or {}) == "v2" else "kfserving"
    else:
        raw = body.get("predictors") or []
        if not raw:
            raise Unprocessable("spec.predictors is empty: nothing to serve")
        predictors = tuple(_seldon_predictor(p, i) for i, p in enumerate(raw))
        protocol = str(body.get("protocol") or "seldon")
    uid = (spec.get("metadata") or {}).get("uid")
    return DeploymentPlan(namespace, name, kind, protocol, _with_traffic(predictors), str(uid) if uid else None)


def _seldon_predictor(raw: dict[str, Any], index: int) -> PredictorPlan:
    where = f"spec.predictors[{index}]"
    graph = raw.get("graph") or {}
    implementation = graph.get("implementation")
    uri = graph.get("modelUri")
    if not implementation:
        raise Unprocessable(f"{where}.graph.implementation is required by the local runtime")
    if not uri:
        raise Unprocessable(f"{where}.graph.modelUri is required by the local runtime")
    problem = implementation_problem(implementation)
    if problem:
        raise Unprocessable(f"{where}.graph.implementation: {problem}")
    parameters = {str(p.get("name")): str(p.get("value")) for p in graph.get("parameters") or [] if p.get("name")}
    return PredictorPlan(
        name=str(raw.get("name") or f"predictor-{index}"),
        model_name=str(graph.get("name") or "model"),
        implementation=str(implementation),
        model_uri=str(uri),
        replicas=max(1, int(raw.get("replicas") or 1)),
        traffic=int(raw.get("traffic") or 0),
        shadow=bool(raw.get("shadow") or False),
        parameters=parameters,
    )


def _kserve_protocol(predictor: dict[str, Any]) -> str:
    for block in predictor.values():
        if isinstance(block, dict) and block.get("protocolVersion"):
            return str(block["protocolVersion"])
    return "v1"


def _kserve_predictors(obj: dict[str, Any]) -> tuple[PredictorPlan, ...]:
    """KServe's canary: while `canaryTrafficPercent` p is set and the predictor differs from the rolled-out one
    (which the gateway hands over in `status.warden.stablePredictor`), the rolled-out predictor keeps serving as
    `default` with 100-p% and the new one runs as `canary` with p%. Otherwise the predictor is `default` at 100%."""
    current = (obj.get("spec") or {}).get("predictor") or {}
    stable = ((obj.get("status") or {}).get("warden") or {}).get("stablePredictor")
    percent = current.get(CANARY_PERCENT)
    if isinstance(stable, dict) and isinstance(percent, int) and percent != 100 and _without_percent(current) != stable:
        percent = min(max(percent, 0), 100)
        return (
            _kserve_predictor(stable, "default", 100 - percent, "status.warden.stablePredictor"),
            _kserve_predictor(current, "canary", percent, "spec.predictor"),
        )
    return (_kserve_predictor(current, "default", 100, "spec.predictor"),)


def _without_percent(predictor: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in predictor.items() if k != CANARY_PERCENT}


def _kserve_predictor(predictor: dict[str, Any], name: str, traffic: int, where: str) -> PredictorPlan:
    implementation = uri = None
    for fmt, server in BY_MODEL_FORMAT.items():
        if isinstance(predictor.get(fmt), dict):
            implementation, uri = server.implementation, predictor[fmt].get("storageUri")
    model = predictor.get("model")
    if implementation is None and isinstance(model, dict):
        named = BY_MODEL_FORMAT.get(str((model.get("modelFormat") or {}).get("name", "")).lower())
        implementation, uri = (named.implementation if named else None), model.get("storageUri")
    if implementation is None or not uri:
        raise Unprocessable(
            f"{where} needs a model of format {accepted_model_formats()} with a storageUri to be served locally"
        )
    return PredictorPlan(
        name=name,
        model_name="model",
        implementation=implementation,
        model_uri=str(uri),
        replicas=max(1, int(predictor.get("minReplicas") or 1)),
        traffic=traffic,
    )


def _with_traffic(predictors: tuple[PredictorPlan, ...]) -> tuple[PredictorPlan, ...]:
    """Live predictors without any traffic set share it evenly (a single one gets 100%), as Seldon does."""
    live = [p for p in predictors if not p.shadow]
    if live and sum(p.traffic for p in live) == 0:
        share, extra = divmod(100, len(live))
        shares = {p.name: share + (1 if i < extra else 0) for i, p in enumerate(live)}
        return tuple(
            PredictorPlan(**{**p.__dict__, "traffic": shares[p.name]}) if p.name in shares else p for p in predictors
        )
    return predictors
