"""KServe's canary semantics for an InferenceService (v1beta1), kept by Warden since there is no Knative here.

In KServe a canary is not a second predictor: you change `spec.predictor` and set `canaryTrafficPercent: p`;
the new revision gets p% and the last *rolled-out* revision keeps the rest. `canaryTrafficPercent` unset (or
100) rolls the new revision out fully; 0 sends everything back to the previous one. Warden therefore remembers
the rolled-out predictor (`stable`) next to the object and hands it to the runtime in `status.warden`.
"""

from __future__ import annotations

import copy
from typing import Any

CANARY_PERCENT = "canaryTrafficPercent"


def predictor_of(obj: dict[str, Any]) -> dict[str, Any]:
    predictor = (obj.get("spec") or {}).get("predictor")
    return predictor if isinstance(predictor, dict) else {}


def without_percent(predictor: dict[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in predictor.items() if k != CANARY_PERCENT}


def canary_percent(obj: dict[str, Any]) -> int | None:
    percent = predictor_of(obj).get(CANARY_PERCENT)
    return percent if isinstance(percent, int) else None


def stable_after(previous_stable: dict[str, Any] | None, obj: dict[str, Any]) -> dict[str, Any]:
    """The rolled-out predictor once `obj` is applied on top of `previous_stable` (None for a new object)."""
    current = without_percent(predictor_of(obj))
    percent = canary_percent(obj)
    if previous_stable is None or percent is None or percent == 100:
        return current
    return previous_stable


def canary_active(obj: dict[str, Any], stable: dict[str, Any] | None) -> bool:
    """True while traffic is split between the rolled-out predictor and a different, new one."""
    if stable is None or canary_percent(obj) in (None, 100):
        return False
    return without_percent(predictor_of(obj)) != stable
