"""The `predictors` summary published with each lifecycle event (what the runtime metadata table needs)."""

from __future__ import annotations

from typing import Any

from warden_common.events.deployments import PredictorSummary
from warden_gateway.deployments.isvc_canary import canary_active, canary_percent, predictor_of
from warden_gateway.deployments.semantics import ISVC_FRAMEWORKS, graph_nodes

DEFAULT = "default"
CANARY = "canary"


def seldon_summaries(obj: dict[str, Any]) -> list[PredictorSummary]:
    spec = obj.get("spec") or {}
    predictors = [p for p in spec.get("predictors") or [] if isinstance(p, dict)]
    live = [p for p in predictors if not p.get("shadow")]
    out = []
    for predictor in predictors:
        shadow = bool(predictor.get("shadow"))
        traffic = predictor.get("traffic")
        if shadow:
            traffic = None  # a shadow gets a mirrored copy of every request, outside the split
        elif len(live) == 1 and not traffic:
            traffic = 100
        uris = [n["modelUri"] for _, n in graph_nodes(predictor.get("graph"), "") if isinstance(n.get("modelUri"), str)]
        replicas = predictor.get("replicas", spec.get("replicas"))
        out.append(
            PredictorSummary(
                name=predictor["name"],
                model_uris=uris,
                traffic=traffic,
                shadow=shadow,
                replicas=replicas if isinstance(replicas, int) else None,
            )
        )
    return out


def _isvc_uris(predictor: dict[str, Any]) -> list[str]:
    uris = []
    for framework in ISVC_FRAMEWORKS:
        spec = predictor.get(framework)
        if isinstance(spec, dict) and isinstance(spec.get("storageUri"), str):
            uris.append(spec["storageUri"])
    return uris


def _isvc_summary(name: str, predictor: dict[str, Any], traffic: int) -> PredictorSummary:
    replicas = predictor.get("minReplicas")
    return PredictorSummary(
        name=name,
        model_uris=_isvc_uris(predictor),
        traffic=traffic,
        replicas=replicas if isinstance(replicas, int) else None,
    )


def inference_service_summaries(obj: dict[str, Any], stable: dict[str, Any] | None) -> list[PredictorSummary]:
    """`default` (the rolled-out predictor) and, while a canary runs, `canary` with its percent."""
    current = predictor_of(obj)
    if stable is not None and canary_active(obj, stable):
        percent = canary_percent(obj) or 0
        return [_isvc_summary(DEFAULT, stable, 100 - percent), _isvc_summary(CANARY, current, percent)]
    return [_isvc_summary(DEFAULT, current, 100)]


def summaries(kind: str, obj: dict[str, Any], stable: dict[str, Any] | None) -> list[PredictorSummary]:
    if kind == "SeldonDeployment":
        return seldon_summaries(obj)
    return inference_service_summaries(obj, stable)
