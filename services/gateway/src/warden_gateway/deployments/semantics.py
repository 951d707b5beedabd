"""The checks a CRD schema cannot express; Seldon Core's and KServe's admission webhooks make the same ones."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from warden_common.names import dns1035_label_problem, dns1123_label_problem
from warden_gateway.crds.validator import Problem
from warden_gateway.deployments.kinds import DeploymentKind

# Graph nodes Seldon's executor implements itself: no model to load, so no modelUri.
BUILTIN_IMPLEMENTATIONS = frozenset(
    {"SIMPLE_MODEL", "SIMPLE_ROUTER", "RANDOM_ABTEST", "AVERAGE_COMBINER", "UNKNOWN_IMPLEMENTATION"}
)

# The model-serving fields of a KServe predictor: exactly one of them (or custom `containers`) says what runs.
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


def _container_names(predictor: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for component in predictor.get("componentSpecs") or []:
        if isinstance(component, dict):
            for container in (component.get("spec") or {}).get("containers") or []:
                if isinstance(container, dict) and isinstance(container.get("name"), str):
                    names.add(container["name"])
    return names


def _graph_problems(predictor: dict[str, Any], path: str) -> Iterator[Problem]:
    containers = _container_names(predictor)
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
        if implementation in BUILTIN_IMPLEMENTATIONS:
            continue
        if node.get("modelUri"):
            continue
        if implementation:
            yield Problem(f"{node_path}.modelUri", f"a {implementation} node needs the URI of its model")
        elif node_name not in containers:
            yield Problem(
                f"{node_path}.modelUri",
                "a node without an implementation needs a modelUri or a container of the same name in componentSpecs",
            )


def seldon_problems(obj: dict[str, Any]) -> list[Problem]:
    """Predictor names unique, non-shadow traffic summing to 100, graph node names unique, model URIs present."""
    predictors = (obj.get("spec") or {}).get("predictors")
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
    """One model framework (or custom containers) in the predictor, a storage URI, a canary percent in 0..100."""
    predictor = (obj.get("spec") or {}).get("predictor")
    if not isinstance(predictor, dict):
        return []  # the schema already reports it
    problems: list[Problem] = []
    frameworks = [f for f in ISVC_FRAMEWORKS if isinstance(predictor.get(f), dict)]
    if len(frameworks) > 1:
        problems.append(
            Problem("spec.predictor", f"exactly one model framework is allowed, got {', '.join(frameworks)}")
        )
    elif not frameworks and not predictor.get("containers"):
        problems.append(Problem("spec.predictor", f"needs one of {', '.join(ISVC_FRAMEWORKS)} or custom containers"))
    for framework in frameworks:
        spec = predictor[framework]
        if not spec.get("storageUri") and not predictor.get("storageUris"):
            problems.append(Problem(f"spec.predictor.{framework}.storageUri", "the URI of the model is required"))
    percent = predictor.get("canaryTrafficPercent")
    if isinstance(percent, int) and not 0 <= percent <= 100:
        problems.append(Problem("spec.predictor.canaryTrafficPercent", f"must be between 0 and 100, got {percent}"))
    return problems


def semantic_problems(kind: DeploymentKind, obj: dict[str, Any]) -> list[Problem]:
    if kind.kind == "SeldonDeployment":
        return seldon_problems(obj)
    return inference_service_problems(obj)
