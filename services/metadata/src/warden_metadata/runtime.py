"""Which model runs where: placements read off a deployment event (SeldonDeployment graph or InferenceService
components), and the deployment status folded into the SDK's Running / Stopped / Unknown."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from warden_common.events.deployments import PredictorSummary

_SELDON_SERVERS = {
    "SKLEARN_SERVER": "SKLEARN",
    "XGBOOST_SERVER": "XGBOOST",
    "TENSORFLOW_SERVER": "TENSORFLOW",
    "MLFLOW_SERVER": "MLFLOW",
}
_KSERVE_FRAMEWORKS = {
    "sklearn": "SKLEARN",
    "xgboost": "XGBOOST",
    "tensorflow": "TENSORFLOW",
    "pytorch": "PYTORCH",
    "onnx": "ONNX",
    "triton": "TENSORRT",
    "mlflow": "MLFLOW",
}
_RUNNING = {"available", "running", "ready", "true"}
_STOPPED = {"stopped", "scaleddown", "scaled down", "terminated", "deleted"}


@dataclass(frozen=True)
class Placement:
    """One model URI at one node of one predictor (the SDK's V1RuntimeMetadata, minus the deployment)."""

    model_uri: str
    predictor_name: str
    node_name: str
    traffic: int | None = None
    shadow: bool = False
    explainer: bool = False
    artifact_type: str = "UNKNOWN"
    """A guess from the server implementation, used only when the model gets auto-registered."""

    @property
    def flags(self) -> tuple[int | None, bool, bool]:
        return self.traffic, self.shadow, self.explainer


def runtime_status(status: str | None) -> str:
    """A deployment status (Available, Creating, Failed, ...) as the SDK's V1DeploymentStatus."""
    folded = (status or "").strip().lower()
    if folded in _RUNNING:
        return "Running"
    if folded in _STOPPED:
        return "Stopped"
    return "Unknown"


def _seldon_graph_nodes(graph: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    stack = [graph]
    while stack:  # iterative: a graph from the wire can be arbitrarily deep
        node = stack.pop()
        yield node
        stack.extend(child for child in reversed(node.get("children") or []) if isinstance(child, Mapping))


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _seldon_placements(spec: Mapping[str, Any]) -> Iterator[Placement]:
    for predictor in spec.get("predictors") or []:
        if not isinstance(predictor, Mapping) or not predictor.get("name"):
            continue
        name = str(predictor["name"])
        traffic = _int_or_none(predictor.get("traffic"))
        shadow = bool(predictor.get("shadow", False))
        graph = predictor.get("graph")
        if isinstance(graph, Mapping):
            for node in _seldon_graph_nodes(graph):
                uri = node.get("modelUri")
                if isinstance(uri, str) and uri:
                    artifact = _SELDON_SERVERS.get(str(node.get("implementation", "")), "CUSTOM")
                    yield Placement(uri, name, str(node.get("name") or name), traffic, shadow, False, artifact)
        explainer = predictor.get("explainer")
        if isinstance(explainer, Mapping) and isinstance(explainer.get("modelUri"), str) and explainer["modelUri"]:
            yield Placement(explainer["modelUri"], name, "explainer", traffic, shadow, True, "ALIBI_EXPLAIN")


def _kserve_component(component: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(storageUri, artifact type) of each framework block of an InferenceService component."""
    for key, block in component.items():
        if isinstance(block, Mapping) and isinstance(block.get("storageUri"), str) and block["storageUri"]:
            if key == "model":  # v1beta1 `model: {modelFormat: {name: sklearn}, storageUri}`
                fmt = block.get("modelFormat")
                key = str(fmt.get("name", "")).lower() if isinstance(fmt, Mapping) else ""
            yield block["storageUri"], _KSERVE_FRAMEWORKS.get(key, "CUSTOM")


def _kserve_placements(spec: Mapping[str, Any]) -> Iterator[Placement]:
    # v1beta1 has spec.{predictor,transformer,explainer}; v1alpha2 had them under spec.default / spec.canary.
    variants = [("default", spec)] + [(v, spec[v]) for v in ("default", "canary") if isinstance(spec.get(v), Mapping)]
    for predictor_name, variant in variants:
        for node_name in ("predictor", "transformer", "explainer"):
            component = variant.get(node_name)
            if isinstance(component, Mapping):
                for uri, artifact in _kserve_component(component):
                    is_explainer = node_name == "explainer"
                    artifact = "ALIBI_EXPLAIN" if is_explainer else artifact
                    yield Placement(uri, predictor_name, node_name, None, False, is_explainer, artifact)


def placements(kind: str, obj: Mapping[str, Any], predictors: Sequence[PredictorSummary]) -> list[Placement]:
    """Every model placement of a deployment; model URIs the summaries list but the spec does not are kept too."""
    inner = obj.get("spec")
    spec: Mapping[str, Any] = inner if isinstance(inner, Mapping) else obj
    found = list(_seldon_placements(spec) if kind == "SeldonDeployment" else _kserve_placements(spec))
    summaries = {p.name: p for p in predictors}
    merged: dict[tuple[str, str, str], Placement] = {}
    for placement in found:
        summary = summaries.get(placement.predictor_name)
        if summary is not None and placement.traffic is None:
            placement = Placement(**{**placement.__dict__, "traffic": summary.traffic, "shadow": summary.shadow})
        merged.setdefault((placement.predictor_name, placement.node_name, placement.model_uri), placement)
    for summary in predictors:
        known = {uri for (pred, _, uri) in merged if pred == summary.name}
        for uri in summary.model_uris:
            if uri not in known:
                placement = Placement(uri, summary.name, summary.name, summary.traffic, summary.shadow)
                merged.setdefault((summary.name, summary.name, uri), placement)
    return list(merged.values())
