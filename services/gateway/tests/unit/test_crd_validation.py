"""Specs validated against the real CRD schemas plus the semantic checks: every problem, each with its path."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from warden_common.errors import Unprocessable
from warden_gateway.crds import load_crd
from warden_gateway.deployments.kinds import INFERENCE_SERVICE, SELDON_DEPLOYMENT, DeploymentKind
from warden_gateway.deployments.validation import normalize

DATA = Path(__file__).parent.parent / "data"


def load(name: str) -> dict[str, Any]:
    text = (DATA / name).read_text()
    loaded: dict[str, Any] = yaml.safe_load(text) if name.endswith(".yaml") else json.loads(text)
    return loaded


def problems(kind: DeploymentKind, obj: Any, namespace: str = "seldon", name: str | None = None) -> list[str]:
    with pytest.raises(Unprocessable) as caught:
        normalize(kind, obj, namespace, name)
    assert caught.value.status_code == 422
    return [d["path"] for d in caught.value.details]


def test_the_stored_schemas_are_the_crds_and_valid_json_schema() -> None:
    seldon, kserve = load_crd("seldondeployment"), load_crd("inferenceservice")
    assert seldon.api_versions == (
        "machinelearning.seldon.io/v1",
        "machinelearning.seldon.io/v1alpha2",
        "machinelearning.seldon.io/v1alpha3",
    )
    assert kserve.api_versions == ("serving.kserve.io/v1beta1",)
    for crd in (seldon, kserve):
        Draft7Validator.check_schema(crd.schema)
        assert set(crd.schema["properties"]) == {"apiVersion", "kind", "metadata", "spec", "status"}


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        (SELDON_DEPLOYMENT, "iris-sklearn.yaml"),
        (SELDON_DEPLOYMENT, "income-with-explainer.json"),
        (INFERENCE_SERVICE, "iris-isvc.yaml"),
        (INFERENCE_SERVICE, "iris-isvc-legacy.json"),
    ],
)
def test_seed_specs_are_accepted_unchanged(kind: DeploymentKind, name: str) -> None:
    spec = load(name)
    assert normalize(kind, copy.deepcopy(spec), "seldon") == spec


def test_nulls_are_pruned_and_status_is_ignored_as_the_api_server_does() -> None:
    spec = load("iris-sklearn.yaml")
    spec["spec"]["replicas"] = None
    spec["status"] = {"state": "Available"}
    stored = normalize(SELDON_DEPLOYMENT, spec, "seldon")
    assert "replicas" not in stored["spec"] and "status" not in stored


def _sdep(**changes: Any) -> dict[str, Any]:
    spec = load("iris-sklearn.yaml")
    for path, value in changes.items():
        target: Any = spec  # dicts and lists on the way down
        *parents, last = path.split("__")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[last] = value
    return spec


def test_schema_problems_are_all_reported_with_their_paths() -> None:
    spec = load("iris-sklearn.yaml")
    predictor = spec["spec"]["predictors"][0]
    predictor["replicas"] = "two"
    predictor["traffic"] = "all"
    predictor["graph"].pop("name")
    predictor["componentSpecs"][0]["spec"]["containers"][0]["ports"] = [{"containerPort": 80}, {"containerPort": 80}]
    spec["spec"]["protocol"] = 7
    assert problems(SELDON_DEPLOYMENT, spec) == [
        "spec.predictors[0].componentSpecs[0].spec.containers[0].ports[1]",  # x-kubernetes-list-type: map
        "spec.predictors[0].graph.name",
        "spec.predictors[0].replicas",
        "spec.predictors[0].traffic",
        "spec.protocol",
    ]


@pytest.mark.parametrize(
    ("mutate", "paths"),
    [
        (lambda s: s.update(apiVersion="machinelearning.seldon.io/v9"), ["apiVersion"]),
        (lambda s: s.update(kind="InferenceService"), ["kind"]),
        (lambda s: s["metadata"].update(name="Iris_1"), ["metadata.name"]),
        (lambda s: s["metadata"].update(namespace="other"), ["metadata.namespace"]),
        (lambda s: s["spec"].update(predictors=[]), ["spec.predictors"]),
        (lambda s: s["spec"].pop("predictors"), ["spec.predictors"]),
        (lambda s: s["spec"]["predictors"][0]["graph"].pop("modelUri"), ["spec.predictors[0].graph.modelUri"]),
        (lambda s: s["spec"]["predictors"][0].update(traffic=60), ["spec.predictors"]),
        (
            lambda s: s["spec"]["predictors"].append(copy.deepcopy(s["spec"]["predictors"][0])),
            ["spec.predictors", "spec.predictors[1].name"],
        ),
        (
            lambda s: s["spec"]["predictors"][0]["graph"].update(
                children=[{"name": "iris-default", "implementation": "XGBOOST_SERVER"}]
            ),
            ["spec.predictors[0].graph.children[0].modelUri", "spec.predictors[0].graph.children[0].name"],
        ),
        (
            lambda s: s["spec"]["predictors"][0]["graph"].update(implementation=None, modelUri=None, name="custom"),
            ["spec.predictors[0].graph.implementation", "spec.predictors[0].graph.modelUri"],
        ),
    ],
)
def test_invalid_seldon_deployments_are_refused(mutate: Any, paths: list[str]) -> None:
    spec = load("iris-sklearn.yaml")
    mutate(spec)
    assert problems(SELDON_DEPLOYMENT, spec) == paths


def test_the_path_name_must_match_on_replace() -> None:
    assert problems(SELDON_DEPLOYMENT, load("iris-sklearn.yaml"), name="other") == ["metadata.name"]


def test_canary_and_shadow_traffic_rules() -> None:
    spec = load("iris-sklearn.yaml")
    default = spec["spec"]["predictors"][0]
    canary = {**copy.deepcopy(default), "name": "canary", "traffic": 10}
    shadow = {**copy.deepcopy(default), "name": "shadow", "shadow": True}
    shadow.pop("traffic")
    default["traffic"] = 90
    spec["spec"]["predictors"] += [canary, shadow]
    assert normalize(SELDON_DEPLOYMENT, copy.deepcopy(spec), "seldon") == spec
    canary["traffic"] = 20
    assert problems(SELDON_DEPLOYMENT, spec) == ["spec.predictors"]


@pytest.mark.parametrize(
    ("mutate", "paths"),
    [
        (lambda s: s["metadata"].update(name="1iris"), ["metadata.name"]),  # KServe: must start with a letter
        (lambda s: s["spec"].pop("predictor"), ["spec.predictor"]),
        (lambda s: s["spec"]["predictor"]["model"].pop("storageUri"), ["spec.predictor.model.storageUri"]),
        (lambda s: s["spec"]["predictor"]["model"].update(modelFormat={}), ["spec.predictor.model.modelFormat.name"]),
        (lambda s: s["spec"]["predictor"].update(sklearn={"storageUri": "gs://m"}), ["spec.predictor"]),
        (lambda s: s["spec"]["predictor"].pop("model"), ["spec.predictor"]),
        (lambda s: s["spec"]["predictor"].update(canaryTrafficPercent=150), ["spec.predictor.canaryTrafficPercent"]),
        (lambda s: s["spec"]["predictor"].update(minReplicas="one"), ["spec.predictor.minReplicas"]),
    ],
)
def test_invalid_inference_services_are_refused(mutate: Any, paths: list[str]) -> None:
    spec = load("iris-isvc.yaml")
    mutate(spec)
    assert problems(INFERENCE_SERVICE, spec) == paths


def test_the_message_names_the_problems_and_details_list_all() -> None:
    spec = load("iris-sklearn.yaml")
    spec["spec"]["predictors"][0]["graph"].pop("modelUri")
    spec["kind"] = "Nope"
    with pytest.raises(Unprocessable) as caught:
        normalize(SELDON_DEPLOYMENT, spec, "seldon")
    assert "2 problem(s)" in caught.value.message
    assert "spec.predictors[0].graph.modelUri" in caught.value.message
    assert all(set(d) == {"path", "message"} and d["message"] for d in caught.value.details)


@pytest.mark.parametrize(
    ("kind", "seed"), [(SELDON_DEPLOYMENT, "iris-sklearn.yaml"), (INFERENCE_SERVICE, "iris-isvc.yaml")]
)
@pytest.mark.parametrize("spec", [[], "predictor", 7])
def test_a_spec_that_is_not_an_object_is_a_problem_not_a_crash(kind: DeploymentKind, seed: str, spec: Any) -> None:
    obj = load(seed)
    obj["spec"] = spec  # found by the fuzzer: the webhook-like checks read `spec` after the schema refused it
    assert problems(kind, obj) == ["spec"]


KSERVE_INCOME_EXPLAINER = {"type": "AnchorTabular", "storageUri": "gs://kfserving-examples/income/explainer",
                           "config": {"threshold": "0.95"}, "runtimeVersion": "v0.11.2"}  # fmt: skip


def test_an_inference_service_alibi_explainer_is_accepted_unchanged() -> None:
    spec = load("iris-isvc.yaml")
    spec["spec"]["explainer"] = {"minReplicas": 1, "alibi": KSERVE_INCOME_EXPLAINER}
    assert normalize(INFERENCE_SERVICE, copy.deepcopy(spec), "seldon") == spec
    spec["spec"]["explainer"]["alibi"] = {"type": "KernelShap", "referenceUri": "s3://data/income.npy"}  # Warden's
    assert normalize(INFERENCE_SERVICE, copy.deepcopy(spec), "seldon") == spec


@pytest.mark.parametrize(
    ("explainer", "path", "needle"),
    [
        ({"alibi": {**KSERVE_INCOME_EXPLAINER, "type": "Counterfactuals"}}, "spec.explainer.alibi.type", "AnchorText"),
        ({"alibi": {"type": "AnchorTabular"}}, "spec.explainer.alibi", "storageUri"),  # nothing to load or fit
        ({"alibi": {**KSERVE_INCOME_EXPLAINER, "storageUri": "gs:/x"}}, "spec.explainer.alibi.storageUri", "gs://"),
        ({"alibi": {**KSERVE_INCOME_EXPLAINER, "config": {"nsamples": "9"}}}, "spec.explainer.alibi", "nsamples"),
        ({"alibi": {**KSERVE_INCOME_EXPLAINER, "config": {"threshold": "high"}}}, "spec.explainer.alibi", "finite"),
        ({"art": {"type": "SquareAttack", "storageUri": "gs://x"}}, "spec.explainer", "alibi"),
    ],
)
def test_an_inference_service_explainer_warden_cannot_run_is_refused_naming_the_field(
    explainer: dict[str, Any], path: str, needle: str
) -> None:
    spec = load("iris-isvc.yaml")
    spec["spec"]["explainer"] = explainer
    with pytest.raises(Unprocessable) as caught:
        normalize(INFERENCE_SERVICE, spec, "seldon")
    [problem] = caught.value.details
    assert problem["path"] == path and needle in problem["message"], problem
    assert path in caught.value.message


def test_a_seldon_predictor_explainer_warden_cannot_run_is_refused_naming_the_field() -> None:
    spec = load("income-with-explainer.json")
    spec["spec"]["predictors"][0]["explainer"]["type"] = "TreeShap"
    assert problems(SELDON_DEPLOYMENT, spec) == ["spec.predictors[0].explainer.type"]
