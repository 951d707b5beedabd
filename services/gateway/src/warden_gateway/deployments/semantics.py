"""The checks a CRD schema cannot express; Seldon Core's and KServe's admission webhooks make the same ones."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from warden_common.explainers import explainer_problems
from warden_common.model_servers import (
    BY_MODEL_FORMAT,
    accepted_implementations,
    accepted_model_formats,
    implementation_problem,
    model_format_problem,
)
from warden_common.names import dns1035_label_problem, dns1123_label_problem
from warden_common.objectstore import model_uri_problem
from warden_gateway.crds.validator import Problem
from warden_gateway.deployments.kinds import DeploymentKind

# The model-serving fields of a KServe predictor: exactly one of them (or custom `containers`) says what runs.
# Warden runs those in `BY_MODEL_FORMAT` and `model` with one of those formats; the rest are KServe's, not run here.
ISVC_FRAMEWORKS = (
    "model",
    "sklearn",
    "xgboost",
    "tensorflow",
    "pytorch",
    "triton",
    "onnx",
    "pmml",
    "lightgbm",
    "paddle",
    "huggingface",
)


def metadata_problems(
    kind: DeploymentKind, obj: dict[str, Any], namespace: str, name: str | None = None
) -> list[Problem]:
    """apiVersion/kind of the path's kind, a valid name (equal to the path's on PUT), the path's namespace."""
    problems: list[Problem] = []
    if obj.get("apiVersion") not in kind.crd.api_versions:
        allowed = ", ".join(kind.crd.api_versions)
        problems.append(Problem("apiVersion", f"must be one of {allowed}, got {obj.get('apiVersion')!r}"))
    if obj.get("kind") != kind.kind:
        problems.append(Problem("kind", f"must be {kind.kind!r} on /{kind.plural}, got {obj.get('kind')!r}"))
    metadata = obj.get("metadata")
    if not isinstance(metadata, dict):
        return [*problems, Problem("metadata", "required object with at least a name")]
    check_name = dns1035_label_problem if kind.kind == "InferenceService" else dns1123_label_problem
    name_problem = check_name(metadata.get("name"))
    if name_problem:
        problems.append(Problem("metadata.name", name_problem))
    elif name is not None and metadata["name"] != name:
        given = metadata["name"]
        problems.append(Problem("metadata.name", f"must match the name in the path ({name!r}), got {given!r}"))
    elif metadata["name"] == "validate":
        problems.append(Problem("metadata.name", "'validate' is reserved (it names the validation endpoint)"))
    given_ns = metadata.get("namespace")
    if given_ns is not None and given_ns != namespace:
        problems.append(Problem("metadata.namespace", f"must match the namespace in the path ({namespace!r})"))
    return problems


def graph_nodes(node: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every node of a Seldon inference graph (pre-order) with its path; `children` are not schema-checked."""
    if not isinstance(node, dict):
        return
    yield path, node
    children = node.get("children")
    if isinstance(children, list):
        for index, child in enumerate(children):
            yield from graph_nodes(child, f"{path}.children[{index}]")


def _graph_problems(predictor: dict[str, Any], path: str) -> Iterator[Problem]:
    """Unique node names; the root node (the model Warden serves) and any node naming a server needs a server
    Warden runs and a usable model URI."""
    seen: set[str] = set()
    for node_path, node in graph_nodes(predictor.get("graph"), f"{path}.graph"):
        node_name = node.get("name")
        if not isinstance(node_name, str) or not node_name:
            yield Problem(f"{node_path}.name", "required field is missing")
            continue
        if node_name in seen:
            yield Problem(f"{node_path}.name", f"graph node name {node_name!r} is used twice in this predictor")
        seen.add(node_name)
        implementation = node.get("implementation")
        is_root = node_path == f"{path}.graph"
        if implementation is None and is_root:
            yield Problem(f"{node_path}.implementation", f"required: the model server, {accepted_implementations()}")
        elif implementation is not None and (problem := implementation_problem(implementation)):
            yield Problem(f"{node_path}.implementation", problem)
        needs_model = implementation is not None or is_root or "modelUri" in node
        if needs_model and (problem := model_uri_problem(node.get("modelUri"))):
            yield Problem(f"{node_path}.modelUri", problem)


def _spec(obj: dict[str, Any]) -> dict[str, Any]:
    """The object's `spec`, or empty when it is not an object (the schema already reports that)."""
    spec = obj.get("spec")
    return spec if isinstance(spec, dict) else {}


def seldon_problems(obj: dict[str, Any]) -> list[Problem]:
    """Predictor names unique, non-shadow traffic summing to 100, graph node names unique, model URIs present."""
    predictors = _spec(obj).get("predictors")
    if not isinstance(predictors, list):
        return []  # the schema already reports it
    problems: list[Problem] = []
    if not predictors:
        problems.append(Problem("spec.predictors", "at least one predictor is needed"))
    names: set[str] = set()
    live: list[tuple[int, dict[str, Any]]] = []
    for index, predictor in enumerate(predictors):
        if not isinstance(predictor, dict):
            continue
        path = f"spec.predictors[{index}]"
        name = predictor.get("name")
        if isinstance(name, str):
            if name in names:
                problems.append(Problem(f"{path}.name", f"predictor name {name!r} is used twice"))
            names.add(name)
        if not predictor.get("shadow"):
            live.append((index, predictor))
        traffic = predictor.get("traffic")
        if isinstance(traffic, int) and not 0 <= traffic <= 100:
            problems.append(Problem(f"{path}.traffic", f"must be between 0 and 100, got {traffic}"))
        problems.extend(_graph_problems(predictor, path))
    if predictors and not live:
        problems.append(Problem("spec.predictors", "at least one predictor must not be a shadow"))
    # Seldon Core lets a lone predictor leave traffic unset (it gets everything); with several they must add up.
    shares_are_numbers = all(isinstance(p.get("traffic", 0), int) for _, p in live)  # else the schema says so
    if shares_are_numbers and (len(live) > 1 or (live and live[0][1].get("traffic") not in (None, 0, 100))):
        total = sum(t for _, p in live if isinstance(t := p.get("traffic"), int))
        if total != 100:
            shares = ", ".join(f"{p.get('name')}={p.get('traffic', 0)}" for _, p in live)
            problems.append(Problem("spec.predictors", f"traffic of non-shadow predictors must sum to 100 ({shares})"))
    return problems


def inference_service_problems(obj: dict[str, Any]) -> list[Problem]:
    """One model framework Warden serves in the predictor, a usable storage URI, a canary percent in 0..100."""
    predictor = _spec(obj).get("predictor")
    if not isinstance(predictor, dict):
        return []  # the schema already reports it
    problems: list[Problem] = []
    frameworks = [f for f in ISVC_FRAMEWORKS if isinstance(predictor.get(f), dict)]
    served = f"{', '.join(BY_MODEL_FORMAT)} or model (with modelFormat.name {accepted_model_formats()})"
    if len(frameworks) > 1:
        problems.append(
            Problem("spec.predictor", f"exactly one model framework is allowed, got {', '.join(frameworks)}")
        )
    elif not frameworks:
        custom = " (Warden does not run custom containers)" if predictor.get("containers") else ""
        problems.append(Problem("spec.predictor", f"needs a model: one of {served}{custom}"))
    for framework in frameworks:
        spec = predictor[framework]
        where = f"spec.predictor.{framework}"
        if framework == "model":
            model_format = (
                (spec.get("modelFormat") or {}).get("name") if isinstance(spec.get("modelFormat"), dict) else None
            )
            if model_format is not None and (problem := model_format_problem(model_format)):  # None: the schema says
                problems.append(Problem(f"{where}.modelFormat.name", problem))
        elif framework not in BY_MODEL_FORMAT:
            problems.append(Problem(where, f"{framework} models are not served by Warden; use {served}"))
        has_uri = "storageUri" in spec or not predictor.get("storageUris")  # else KServe's multi-model storageUris
        if has_uri and (problem := model_uri_problem(spec.get("storageUri"))):
            problems.append(Problem(f"{where}.storageUri", problem))
    percent = predictor.get("canaryTrafficPercent")
    if isinstance(percent, int) and not 0 <= percent <= 100:
        problems.append(Problem("spec.predictor.canaryTrafficPercent", f"must be between 0 and 100, got {percent}"))
    return problems


def semantic_problems(kind: DeploymentKind, obj: dict[str, Any]) -> list[Problem]:
    found = seldon_problems(obj) if kind.kind == "SeldonDeployment" else inference_service_problems(obj)
    # An explainer in the spec is run by the detectors service: one it could not run is the submitter's mistake.
    return [*found, *(Problem(path, message) for path, message in explainer_problems(kind.kind, obj))]
