"""InferenceService plans under KServe's canary semantics, as the gateway hands them over."""

from __future__ import annotations

from typing import Any

import pytest

from warden_common.errors import Unprocessable
from warden_serving.specs import plan_from_spec

STABLE = {"minReplicas": 1, "sklearn": {"storageUri": "s3://m/iris-lr"}}
NEW = {"minReplicas": 2, "model": {"modelFormat": {"name": "xgboost"}, "storageUri": "s3://m/iris-xgb"}}


def isvc(predictor: dict[str, Any], stable: dict[str, Any] | None = None) -> dict[str, Any]:
    obj: dict[str, Any] = {"kind": "InferenceService", "spec": {"predictor": predictor}, "status": {"state": "x"}}
    if stable is not None:
        obj["status"]["warden"] = {"stablePredictor": stable}
    return obj


def summary(obj: dict[str, Any]) -> list[tuple[str, str, int, int]]:
    plan = plan_from_spec("ns", "iris", "InferenceService", obj)
    return [(p.name, p.implementation, p.traffic, p.replicas) for p in plan.predictors]


def test_a_canary_runs_beside_the_rolled_out_predictor_with_its_percent() -> None:
    assert summary(isvc({**NEW, "canaryTrafficPercent": 30}, STABLE)) == [
        ("default", "SKLEARN_SERVER", 70, 1),
        ("canary", "XGBOOST_SERVER", 30, 2),
    ]


def test_zero_percent_keeps_the_canary_running_without_traffic() -> None:
    assert [t for _, _, t, _ in summary(isvc({**NEW, "canaryTrafficPercent": 0}, STABLE))] == [100, 0]


@pytest.mark.parametrize(
    "obj",
    [
        isvc(NEW),  # a plain predictor
        isvc({**NEW, "canaryTrafficPercent": 100}, STABLE),  # rolled out fully
        isvc(NEW, STABLE),  # percent removed: promoted
        isvc({**NEW, "canaryTrafficPercent": 20}),  # a percent on a new object: nothing to split with
        isvc({**STABLE, "canaryTrafficPercent": 20}, STABLE),  # the same predictor again
    ],
)
def test_without_an_active_canary_the_predictor_is_the_only_default(obj: dict[str, Any]) -> None:
    [(name, _, traffic, _)] = summary(obj)
    assert (name, traffic) == ("default", 100)


def test_promotion_keeps_the_canary_processes_and_drops_the_old_ones() -> None:
    during = plan_from_spec("ns", "i", "InferenceService", isvc({**NEW, "canaryTrafficPercent": 10}, STABLE))
    after = plan_from_spec("ns", "i", "InferenceService", isvc(NEW))
    assert after.predictors[0].fingerprint() == during.predictors[1].fingerprint()
    assert after.predictors[0].fingerprint() != during.predictors[0].fingerprint()


def test_an_unservable_stable_predictor_is_named() -> None:
    with pytest.raises(Unprocessable, match=r"status\.warden\.stablePredictor"):
        plan_from_spec("ns", "i", "InferenceService", isvc({**NEW, "canaryTrafficPercent": 10}, {"pytorch": {}}))


def test_the_plan_keeps_the_deployment_uid_its_events_carry() -> None:
    obj = {**isvc(STABLE), "metadata": {"name": "iris", "uid": "0b6c3c8e-5a0b-4c43-9d2e-2f1f5c7d9a10"}}
    assert plan_from_spec("ns", "iris", "InferenceService", obj).uid == "0b6c3c8e-5a0b-4c43-9d2e-2f1f5c7d9a10"
    assert plan_from_spec("ns", "iris", "InferenceService", isvc(STABLE)).uid is None  # e.g. a hand-written spec
