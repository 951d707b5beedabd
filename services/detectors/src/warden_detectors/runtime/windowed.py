"""Detectors that accumulate request rows in windows (det-drift's `DriftMonitor`) as a `DetectorKind`.

The drift package provides a spec parser, a monitor factory and a results store with the shapes below
(DETECTORS.md); `WindowedKind` does the rest: rows of each request go to `monitor.add` in bus order, `tick`
closes time windows, each result is saved, then replied (to the request that filled the window, or on its own
when closed by time). Wiring drift is one entry in `main.detector_kinds`:

    WindowedKind("drift", (SELDON_DRIFT, KSERVE_DRIFT), DriftSpec.from_config, DriftMonitor, DriftResultsStore(pool),
                 observe=drift.metrics.record, forget=drift.metrics.forget)

Delivery is at least once: after a crash, or when publishing the replies failed, the same requests are handed
to `add` again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from warden_common.events.deployments import DeploymentKind
from warden_detectors.configs.model import KindName, StoredDetector
from warden_detectors.runtime.arrays import Array
from warden_detectors.runtime.kinds import (
    BuildInputs,
    DetectorInput,
    InputRejected,
    LiveDetector,
    Outcome,
    Reads,
    SeriesForgetter,
    StoringKind,
)


class WindowResult(Protocol):
    def reply(self) -> dict[str, Any] | None:
        """The reply to publish; None for a window that was closed but not tested (too few rows)."""
        ...


class WindowMonitor(Protocol):
    """One configured detector's windows (pure, no I/O; called by one task at a time)."""

    def add(self, rows: Array, at: datetime) -> Sequence[WindowResult]: ...

    def tick(self, now: datetime) -> Sequence[WindowResult]: ...


class WindowResultsStore(Protocol):
    async def save(self, namespace: str, kind: str, deployment: str, detector: str, result: Any) -> None: ...

    async def delete(self, namespace: str, kind: DeploymentKind, deployment: str, detector: str) -> Any: ...


class ResultObserver(Protocol):
    """Sees every saved result (e.g. sets Prometheus gauges); `endpoint` is the predictor of the request that
    closed the window, empty for a window closed by time."""

    def __call__(self, result: Any, *, namespace: str, deployment: str, endpoint: str) -> None: ...


MonitorFactory = Callable[[Any, Array | None, Path | None, str], WindowMonitor]
"""`(spec, reference rows, saved artifact folder, detector name) -> monitor` (e.g. the `DriftMonitor` class)."""


class WindowedKind(StoringKind):
    reads: Reads = "requests"

    def __init__(
        self,
        name: KindName,
        reply_types: tuple[str, str],
        spec_from_config: Callable[[Mapping[str, Any]], Any],
        monitor_factory: MonitorFactory,
        store: WindowResultsStore,
        *,
        observe: ResultObserver | None = None,
        forget: SeriesForgetter | None = None,
    ) -> None:
        self.name = name
        self.reply_types = reply_types
        super().__init__(spec_from_config, store, forget)
        self._factory = monitor_factory
        self._store = store
        self._observe = observe

    async def build(self, detector: StoredDetector, inputs: BuildInputs) -> LiveDetector:
        spec = self._spec(detector.basic)
        monitor = await asyncio.to_thread(self._factory, spec, inputs.reference, inputs.artifact_dir, detector.key.name)
        return WindowedDetector(detector, monitor, self._store, self._observe)


class WindowedDetector:
    def __init__(
        self,
        detector: StoredDetector,
        monitor: WindowMonitor,
        store: WindowResultsStore,
        observe: ResultObserver | None = None,
    ) -> None:
        self._detector = detector
        self._monitor = monitor
        self._store = store
        self._observe = observe

    async def handle(self, inputs: Sequence[DetectorInput]) -> list[Outcome]:
        closed, rejected = await asyncio.to_thread(self._add_all, inputs)
        outcomes = [o for i, result in closed if (o := await self._saved(result, inputs[i])) is not None]
        if rejected:
            raise InputRejected(outcomes, rejected)
        return outcomes

    async def tick(self, now: datetime) -> list[Outcome]:
        results = await asyncio.to_thread(self._monitor.tick, now)
        return [o for result in results if (o := await self._saved(result, None)) is not None]

    def _add_all(self, inputs: Sequence[DetectorInput]) -> tuple[list[tuple[int, WindowResult]], dict[int, str]]:
        closed: list[tuple[int, WindowResult]] = []
        rejected: dict[int, str] = {}
        for i, item in enumerate(inputs):
            if item.rows is None:
                rejected[i] = "no instances"
                continue
            try:
                closed += [(i, result) for result in self._monitor.add(item.rows, item.at)]
            except ValueError as exc:  # rows the monitor cannot take (a wrong number of features, ...)
                rejected[i] = f"cannot add the instances: {exc}"
        return closed, rejected

    async def _saved(self, result: WindowResult, answered: DetectorInput | None) -> Outcome | None:
        """Save `result`, show it to the observer; its reply, if it has one."""
        key = self._detector.key
        d = key.deployment
        await self._store.save(d.namespace, d.kind, d.name, key.name, result)
        if self._observe is not None:
            endpoint = answered.event.get_extension("endpoint") if answered is not None else None
            self._observe(result, namespace=d.namespace, deployment=d.name, endpoint=str(endpoint or ""))
        reply = result.reply()
        return None if reply is None else Outcome(reply, answered.event if answered is not None else None)
