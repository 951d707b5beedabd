"""The model servers Warden's runtime runs, in one place: what the gateway accepts is what serving can serve.

A SeldonDeployment names a server by `graph.implementation` (`SKLEARN_SERVER`), an InferenceService by its
framework block (`sklearn: {...}`) or `model.modelFormat.name`; both map to one MLServer runtime. A custom MLServer
model (`module.Class` inside the model folder) is accepted too. `artifact_names` are the files the MLServer runtime
looks for in the model folder (its `WELLKNOWN_MODEL_FILENAMES`), so a model meant for another server is caught
before MLServer fails on it with an unhelpful error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class ModelServer:
    implementation: str
    """Seldon's prepackaged-server name."""
    model_format: str
    """KServe's framework / `modelFormat.name`."""
    mlserver_class: str
    artifact_names: tuple[str, ...]


MODEL_SERVERS = (
    ModelServer(
        "SKLEARN_SERVER", "sklearn", "mlserver_sklearn.SKLearnModel", ("model.joblib", "model.pkl", "model.pickle")
    ),
    ModelServer("XGBOOST_SERVER", "xgboost", "mlserver_xgboost.XGBoostModel", ("model.bst", "model.json", "model.ubj")),
)
BY_IMPLEMENTATION = {server.implementation: server for server in MODEL_SERVERS}
BY_MODEL_FORMAT = {server.model_format: server for server in MODEL_SERVERS}

CUSTOM_IMPLEMENTATION = "`module.Class` of a custom MLServer model in the model folder"
_CUSTOM_CLASS = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+")


def accepted_implementations() -> str:
    return ", ".join(BY_IMPLEMENTATION) + f" or {CUSTOM_IMPLEMENTATION}"


def accepted_model_formats() -> str:
    return ", ".join(BY_MODEL_FORMAT)


def is_custom_implementation(implementation: str) -> bool:
    """True for `module.Class` (dotted Python names), which MLServer imports from the model folder."""
    return implementation not in BY_IMPLEMENTATION and _CUSTOM_CLASS.fullmatch(implementation) is not None


def implementation_problem(implementation: object) -> str | None:
    """Why `implementation` is not served by Warden's runtime, listing what is; None if it is."""
    if isinstance(implementation, str) and (
        implementation in BY_IMPLEMENTATION or is_custom_implementation(implementation)
    ):
        return None
    return f"{implementation!r} is not a model server Warden runs; use {accepted_implementations()}"


def model_format_problem(model_format: object) -> str | None:
    """Why a KServe model format is not served by Warden's runtime, listing what is; None if it is."""
    if isinstance(model_format, str) and model_format.lower() in BY_MODEL_FORMAT:
        return None
    return f"{model_format!r} is not a model format Warden serves; use one of {accepted_model_formats()}"


def server_for_artifacts(names: set[str]) -> ModelServer | None:
    """The server whose model file is among `names` (a folder listing), if any."""
    return next((s for s in MODEL_SERVERS if names.intersection(s.artifact_names)), None)
