"""Rollouts as pure spec transformations (the seed UI's canary and shadow actions).

A SeldonDeployment canary is a second, non-shadow predictor sharing the traffic; a shadow is a predictor with
`shadow: true` that gets a mirrored copy of every request. An InferenceService canary follows KServe:
a changed `spec.predictor` with `canaryTrafficPercent` (see isvc_canary). Each function takes the current object
(with status) and returns the new one; the caller validates and stores it exactly like a PUT.
"""

from __future__ import annotations

import copy
from typing import Any

from warden_common.errors import Conflict, Unprocessable
from warden_gateway.deployments.isvc_canary import CANARY_PERCENT, canary_active, predictor_of, without_percent
from warden_gateway.deployments.rollout_bodies import Rollout, kserve_model_format
from warden_gateway.deployments.semantics import ISVC_FRAMEWORKS


def _predictors(obj: dict[str, Any]) -> list[dict[str, Any]]:
    predictors = obj.setdefault("spec", {}).setdefault("predictors", [])
    assert isinstance(predictors, list)
    return predictors


def _live(obj: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in _predictors(obj) if not p.get("shadow")]


def _shadow(obj: dict[str, Any]) -> dict[str, Any] | None:
    return next((p for p in _predictors(obj) if p.get("shadow")), None)


def _seldon_predictor(obj: dict[str, Any], request: Rollout, default_name: str) -> dict[str, Any]:
    name = request.name or default_name
    if any(p.get("name") == name for p in _predictors(obj)):
        raise Conflict(f"a predictor named {name!r} already exists")
    if request.predictor is not None:
        return {**copy.deepcopy(request.predictor), "name": name}
    main = _live(obj)[0]
    implementation = request.implementation or (main.get("graph") or {}).get("implementation")
    graph: dict[str, Any] = {"name": f"{obj['metadata']['name']}-{name}", "modelUri": request.model_uri, "children": []}
    if implementation:
        graph["implementation"] = implementation
    predictor: dict[str, Any] = {"name": name, "graph": graph}
    replicas = request.replicas if request.replicas is not None else main.get("replicas")
    if isinstance(replicas, int):
        predictor["replicas"] = replicas
    return predictor


def _promoted(main: dict[str, Any], replacement: dict[str, Any]) -> dict[str, Any]:
    """`replacement`'s model in `main`'s place: same name and traffic share, no longer a canary or shadow."""
    promoted = {k: copy.deepcopy(v) for k, v in replacement.items() if k not in ("shadow", "traffic", "name")}
    promoted["name"] = main["name"]
    if "traffic" in main:
        promoted["traffic"] = main["traffic"]
    return promoted


# --- SeldonDeployment -------------------------------------------------------------------------------------


def seldon_add_canary(obj: dict[str, Any], request: Rollout) -> dict[str, Any]:
    live = _live(obj)
    if len(live) > 1:
        raise Conflict(f"a canary ({live[1].get('name')!r}) is already running; promote or remove it first")
    canary = _seldon_predictor(obj, request, "canary")
    canary.pop("shadow", None)
    canary["traffic"] = request.canary_traffic
    live[0]["traffic"] = 100 - request.canary_traffic
    _predictors(obj).insert(_predictors(obj).index(live[0]) + 1, canary)
    return obj


def _require_canary(obj: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    live = _live(obj)
    if len(live) < 2:
        raise Conflict("there is no canary to promote or remove")
    return live[0], live[1]


def seldon_promote_canary(obj: dict[str, Any]) -> dict[str, Any]:
    main, canary = _require_canary(obj)
    promoted = {**_promoted(main, canary), "traffic": 100}
    predictors = _predictors(obj)
    predictors[predictors.index(main)] = promoted
    predictors.remove(canary)
    return obj


def seldon_remove_canary(obj: dict[str, Any]) -> dict[str, Any]:
    main, canary = _require_canary(obj)
    _predictors(obj).remove(canary)
    main["traffic"] = 100
    return obj


def seldon_add_shadow(obj: dict[str, Any], request: Rollout) -> dict[str, Any]:
    existing = _shadow(obj)
    if existing is not None:
        raise Conflict(f"a shadow ({existing.get('name')!r}) is already running; promote or remove it first")
    shadow = _seldon_predictor(obj, request, "shadow")
    shadow.pop("traffic", None)
    shadow["shadow"] = True
    _predictors(obj).append(shadow)
    return obj


def _require_shadow(obj: dict[str, Any]) -> dict[str, Any]:
    shadow = _shadow(obj)
    if shadow is None:
        raise Conflict("there is no shadow to promote or remove")
    return shadow


def seldon_promote_shadow(obj: dict[str, Any]) -> dict[str, Any]:
    shadow = _require_shadow(obj)
    main = _live(obj)[0]
    predictors = _predictors(obj)
    predictors[predictors.index(main)] = _promoted(main, shadow)
    predictors.remove(shadow)
    return obj


def seldon_remove_shadow(obj: dict[str, Any]) -> dict[str, Any]:
    _predictors(obj).remove(_require_shadow(obj))
    return obj


# --- InferenceService -------------------------------------------------------------------------------------


def _stable(obj: dict[str, Any]) -> dict[str, Any] | None:
    stable = ((obj.get("status") or {}).get("warden") or {}).get("stablePredictor")
    return stable if isinstance(stable, dict) else None


def isvc_add_canary(obj: dict[str, Any], request: Rollout) -> dict[str, Any]:
    if canary_active(obj, _stable(obj)):
        raise Conflict("a canary is already running; promote or remove it first")
    current = without_percent(predictor_of(obj))
    if request.predictor is not None:
        predictor = copy.deepcopy(request.predictor)
    else:
        model_format = _model_format(request.implementation, current)
        predictor = {k: v for k, v in current.items() if k not in ISVC_FRAMEWORKS and k != "containers"}
        predictor["model"] = {"modelFormat": {"name": model_format}, "storageUri": request.model_uri}
        if request.replicas is not None:
            predictor["minReplicas"] = request.replicas
    predictor[CANARY_PERCENT] = request.canary_traffic
    obj["spec"]["predictor"] = predictor
    return obj


def _model_format(implementation: str | None, current: dict[str, Any]) -> str:
    if implementation:
        return kserve_model_format(implementation)
    model = current.get("model")
    if isinstance(model, dict) and isinstance((model.get("modelFormat") or {}).get("name"), str):
        return str(model["modelFormat"]["name"])
    for framework in ISVC_FRAMEWORKS:
        if isinstance(current.get(framework), dict):
            return framework
    raise Unprocessable("give the canary's implementation (model format): the current predictor has none")


def isvc_promote_canary(obj: dict[str, Any]) -> dict[str, Any]:
    if not canary_active(obj, _stable(obj)):
        raise Conflict("there is no canary to promote")
    obj["spec"]["predictor"] = without_percent(predictor_of(obj))
    return obj


def isvc_remove_canary(obj: dict[str, Any]) -> dict[str, Any]:
    stable = _stable(obj)
    if stable is None or not canary_active(obj, stable):
        raise Conflict("there is no canary to remove")
    obj["spec"]["predictor"] = copy.deepcopy(stable)
    return obj


def isvc_no_shadow(_obj: dict[str, Any]) -> dict[str, Any]:
    raise Unprocessable("an InferenceService has no shadow predictor (KServe has none); use a SeldonDeployment")
