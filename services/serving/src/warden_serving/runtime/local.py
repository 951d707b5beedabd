"""The local runtime adapter: every predictor's model served by MLServer processes on this machine.

Rollouts never drop traffic: new model groups are started and waited for *before* the route is swapped, and
groups that left the plan are stopped only after the swap. Groups are keyed by the predictor's fingerprint,
so promoting a canary (same model, new predictor name) reuses the processes already serving it.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from warden_common.objectstore import ObjectStoreSettings
from warden_serving.runtime.group import ModelGroup
from warden_serving.runtime.logbuffer import ProcessLog
from warden_serving.runtime.port import (
    DeploymentRoute,
    DeploymentState,
    PredictorState,
    RoutedPredictor,
    StatusChange,
    StatusListener,
)
from warden_serving.runtime.process import ProcessOptions
from warden_serving.specs import DeploymentPlan, PredictorPlan

logger = logging.getLogger(__name__)


@dataclass
class _Deployment:
    plan: DeploymentPlan
    route: DeploymentRoute | None = None
    groups: dict[str, ModelGroup] = field(default_factory=dict)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    status_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    published: tuple[Any, ...] | None = None
    status: DeploymentState | None = None
    reason: str | None = None


class LocalRuntime:
    def __init__(
        self,
        root: Path,
        options: ProcessOptions,
        client: httpx.AsyncClient,
        store: ObjectStoreSettings,
        listener: StatusListener | None = None,
    ) -> None:
        self._root = root
        self._options = options
        self._client = client
        self._store = store
        self._listener = listener
        self._deployments: dict[str, _Deployment] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def apply(self, plan: DeploymentPlan) -> None:
        d = self._deployments.get(plan.key)
        if d is None:
            d = self._deployments[plan.key] = _Deployment(plan)
        async with d.lock:
            previous_route = d.route
            d.plan = plan
            needed = {p.fingerprint(): p for p in plan.predictors}
            for fingerprint, predictor in needed.items():
                group = d.groups.get(fingerprint)
                if group is not None and group.failed:
                    await group.stop()  # a re-delivered or re-applied spec gets a fresh try
                    group = None
                if group is None:
                    label = f"{plan.namespace}.{plan.name}.{predictor.name}.{fingerprint}"
                    group = ModelGroup(
                        label, predictor, self._root / plan.namespace / plan.name / fingerprint,
                        self._options, self._client, functools.partial(self._status_soon, plan.key),
                    )  # fmt: skip
                    d.groups[fingerprint] = group
                    await group.start(self._store)
            if previous_route is None:
                # A new deployment is routable at once: while its replicas start (or once they failed) a request
                # gets the forwarder's 503 saying so, not a 404 as if it did not exist. Status events (which may
                # report Failed before this method returns) never describe a deployment the data plane lacks.
                d.route = self._route_for(plan, d)
            self._status_soon(plan.key)
            await asyncio.gather(*(d.groups[fp].wait_settled(self._options.start_timeout_s) for fp in needed))
            new_live_failed = [p.name for p in plan.live() if d.groups[p.fingerprint()].failed]
            if new_live_failed and previous_route is not None:
                logger.error("%s: keeping the previous route, %s failed to start", plan.key, new_live_failed)
            else:
                d.route = self._route_for(plan, d)
                stale = [fp for fp in d.groups if fp not in needed]
                for fp in stale:
                    await d.groups.pop(fp).stop()
            self._status_soon(plan.key)

    @staticmethod
    def _route_for(plan: DeploymentPlan, d: _Deployment) -> DeploymentRoute:
        def routed(predictors: list[Any]) -> tuple[RoutedPredictor, ...]:
            return tuple(RoutedPredictor(p, d.groups[p.fingerprint()]) for p in predictors)

        return DeploymentRoute(plan, routed(plan.live()), routed(plan.shadows()))

    async def remove(self, namespace: str, name: str) -> None:
        d = self._deployments.pop(f"{namespace}/{name}", None)
        if d is None:
            return
        async with d.lock:
            d.route = None
            await asyncio.gather(*(g.stop() for g in d.groups.values()), return_exceptions=True)
            d.groups.clear()

    def route(self, namespace: str, name: str) -> DeploymentRoute | None:
        d = self._deployments.get(f"{namespace}/{name}")
        return d.route if d else None

    def resources(self, namespace: str, name: str) -> dict[str, Any] | None:
        d = self._deployments.get(f"{namespace}/{name}")
        if d is None:
            return None
        status, reason, _ = self._evaluate(d)
        predictors = []
        for p in d.plan.predictors:
            group = d.groups.get(p.fingerprint())
            entry: dict[str, Any] = {"name": p.name, "traffic": p.traffic, "shadow": p.shadow}
            if group is not None:
                entry.update(group.snapshot())
            predictors.append(entry)
        return {
            "namespace": namespace,
            "name": name,
            "kind": d.plan.kind,
            "status": str(status),
            "reason": reason,
            "predictors": predictors,
        }

    def process_logs(self, namespace: str, name: str) -> dict[str, ProcessLog] | None:
        """The output of each of a deployment's processes by process name (`resources()`'s replica names)."""
        d = self._deployments.get(f"{namespace}/{name}")
        if d is None:
            return None
        return {r.name: r.log for group in d.groups.values() for r in group.replicas}

    def overview(self) -> list[dict[str, Any]]:
        out = []
        for d in self._deployments.values():
            status, reason, states = self._evaluate(d)
            out.append({
                "namespace": d.plan.namespace, "name": d.plan.name, "kind": d.plan.kind,
                "status": str(status), "reason": reason, "predictors": {n: s.label for n, s in states.items()},
                "routed": [p.plan.name for p in d.route.live] if d.route else [],
            })  # fmt: skip
        return out

    async def close(self) -> None:
        for key in list(self._deployments):
            ns, _, name = key.partition("/")
            await self.remove(ns, name)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    # ----- status ----------------------------------------------------------------------------
    def _evaluate(self, d: _Deployment) -> tuple[DeploymentState, str | None, dict[str, PredictorState]]:
        states: dict[str, PredictorState] = {}
        for p in d.plan.predictors:
            states[p.name] = self._predictor_state(p, d.groups.get(p.fingerprint()))
        failures = [f"{name}: {s.reason}" for name, s in states.items() if s.state == "Failed"]
        waiting = [f"{name}: {s.reason}" if s.reason else name for name, s in states.items() if s.state == "Creating"]
        if failures:
            return DeploymentState.FAILED, "; ".join(failures), states
        if waiting:
            return DeploymentState.CREATING, "; ".join(waiting), states
        if d.route is None or d.route.plan != d.plan:
            return DeploymentState.CREATING, "switching traffic to the new predictors", states
        return DeploymentState.AVAILABLE, None, states

    @staticmethod
    def _predictor_state(p: PredictorPlan, group: ModelGroup | None) -> PredictorState:
        if group is None:
            return PredictorState("Creating", None)
        ready = group.ready_count()
        if group.failed:
            return PredictorState("Failed", group.last_error())
        if ready == 0:
            error = group.last_error()
            return PredictorState("Creating", f"0/{p.replicas} replicas ready" + (f" ({error})" if error else ""))
        if ready < p.replicas:
            return PredictorState("Available", f"degraded: {ready}/{p.replicas} replicas ready")
        return PredictorState("Available", None)

    def _status_soon(self, key: str) -> None:
        task = asyncio.get_running_loop().create_task(self._publish_status(key))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _publish_status(self, key: str) -> None:
        d = self._deployments.get(key)
        if d is None:
            return
        async with d.status_lock:
            status, reason, states = self._evaluate(d)
            signature = (status, reason, tuple(sorted(states.items())), d.plan)
            if signature == d.published:
                return
            previous, d.status, d.reason, d.published = d.status, status, reason, signature
            if previous != status:
                logger.info("%s: %s -> %s %s", key, previous, status, reason or "")
            if self._listener is None:
                return
            change = StatusChange(
                d.plan.namespace, d.plan.name, d.plan.kind, status, previous, reason, d.plan.predictors, states
            )
            try:
                await self._listener(change)
            except Exception:
                logger.exception("could not publish the status of %s", key)
