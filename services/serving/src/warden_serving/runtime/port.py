"""The runtime port: run the predictors of a deployment and say where a request for each can go.

The local adapter (`local.LocalRuntime`) runs MLServer processes on this machine; a Kubernetes adapter would
create SeldonDeployments instead. The data plane only sees `route()`; the reconciler only `apply()`/`remove()`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from warden_serving.runtime.logbuffer import ProcessLog
from warden_serving.specs import DeploymentPlan, PredictorPlan


class ReplicaState(StrEnum):
    STARTING = "Starting"
    READY = "Ready"
    CRASHED = "Crashed"
    RESTARTING = "Restarting"
    FAILED = "Failed"
    STOPPED = "Stopped"


class DeploymentState(StrEnum):
    CREATING = "Creating"
    AVAILABLE = "Available"
    FAILED = "Failed"


class ModelEndpoint(Protocol):
    """The processes serving one predictor's model; `pick()` is a ready replica's base URL (round robin) or None."""

    @property
    def internal_model_name(self) -> str: ...

    def pick(self) -> str | None: ...

    def mark_unreachable(self, base_url: str) -> None: ...

    def last_error(self) -> str | None: ...


@dataclass(frozen=True)
class RoutedPredictor:
    plan: PredictorPlan
    endpoint: ModelEndpoint


@dataclass(frozen=True)
class DeploymentRoute:
    """What the data plane needs to serve one deployment; swapped atomically when a rollout is ready."""

    plan: DeploymentPlan
    live: tuple[RoutedPredictor, ...]
    shadows: tuple[RoutedPredictor, ...] = ()


@dataclass(frozen=True)
class PredictorState:
    """One predictor's state (Creating, Available, Failed) and, when it is not plainly Available, why."""

    state: str
    reason: str | None

    @property
    def label(self) -> str:
        return f"{self.state} (degraded)" if self.state == "Available" and self.reason else self.state


@dataclass(frozen=True)
class StatusChange:
    namespace: str
    name: str
    kind: str
    status: DeploymentState
    previous: DeploymentState | None
    reason: str | None
    predictors: tuple[PredictorPlan, ...]
    predictor_states: dict[str, PredictorState] = field(default_factory=dict)


StatusListener = Callable[[StatusChange], Awaitable[None]]


class Runtime(Protocol):
    async def apply(self, plan: DeploymentPlan) -> None:
        """Make the deployment run `plan`: start what is new, switch traffic once it is ready, stop what is gone."""
        ...

    async def remove(self, namespace: str, name: str) -> None: ...

    def route(self, namespace: str, name: str) -> DeploymentRoute | None: ...

    def resources(self, namespace: str, name: str) -> dict[str, Any] | None:
        """Processes, ports, state, restarts and recent log lines of a deployment; None if unknown."""
        ...

    def process_logs(self, namespace: str, name: str) -> dict[str, ProcessLog] | None:
        """Each process's output by process name (as `resources()` names them); None if the deployment is unknown."""
        ...

    def overview(self) -> list[dict[str, Any]]:
        """Every deployment with its status and predictors (internal status read)."""
        ...

    async def close(self) -> None: ...
