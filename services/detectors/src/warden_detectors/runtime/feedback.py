"""Metrics servers (det-feedback's `FeedbackMetricsServer`) as a `DetectorKind`: feedback events in.

Each feedback's `truth` and prediction (its `response`, else the logged response of its request, found by
`lookup`) give per-class counts (`server.counts`), saved in the store; the reply is the metrics server's `{}`
(`io.seldon.serving.feedback.metrics`). Wiring metrics servers is one entry in `main.detector_kinds`:

    FeedbackKind(MetricsSpec.from_config, FeedbackMetricsServer, FeedbackMetricsStore(pool), lookup,
                 observe=feedback.metrics.record, forget=feedback.metrics.forget)

where `lookup(detector, feedback_event)` returns the logged response or None. A feedback without truth, or
whose prediction cannot be found, is rejected (dead-lettered with the reason). Delivery is at least once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal, Protocol

from warden_common.codec import Event
from warden_common.events import FEEDBACK_METRICS
from warden_common.events.deployments import DeploymentKind
from warden_detectors.configs.model import StoredDetector
from warden_detectors.runtime.kinds import (
    BuildInputs,
    DetectorInput,
    InputRejected,
    LiveDetector,
    Outcome,
    SeriesForgetter,
    StoringKind,
)


class CountingServer(Protocol):
    def counts(self, truth: Any, prediction: Any) -> Any: ...


class CountsStore(Protocol):
    async def add(
        self, namespace: str, kind: str, deployment: str, detector: str, at: datetime, counts: Any
    ) -> None: ...

    async def delete(self, namespace: str, kind: DeploymentKind, deployment: str, detector: str) -> Any: ...


class CountsObserver(Protocol):
    """Sees the counts of every counted feedback (e.g. Prometheus counters)."""

    def __call__(self, counts: Any, *, namespace: str, deployment: str, endpoint: str, detector: str) -> None: ...


ResponseLookup = Callable[[StoredDetector, Event], Awaitable[Any | None]]


class FeedbackKind(StoringKind):
    name: Literal["metrics"] = "metrics"
    reads: Literal["feedback"] = "feedback"
    reply_types = (FEEDBACK_METRICS, FEEDBACK_METRICS)

    def __init__(
        self,
        spec_from_config: Callable[[Mapping[str, Any]], Any],
        server_factory: Callable[[Any, str], CountingServer],
        store: CountsStore,
        lookup: ResponseLookup,
        *,
        observe: CountsObserver | None = None,
        forget: SeriesForgetter | None = None,
    ) -> None:
        super().__init__(spec_from_config, store, forget)
        self._factory = server_factory
        self._store = store
        self._lookup = lookup
        self._observe = observe

    async def build(self, detector: StoredDetector, inputs: BuildInputs) -> LiveDetector:
        server = self._factory(self._spec(detector.basic), detector.key.name)
        return FeedbackDetector(detector, server, self._store, self._lookup, self._observe)


class FeedbackDetector:
    def __init__(
        self,
        detector: StoredDetector,
        server: CountingServer,
        store: CountsStore,
        lookup: ResponseLookup,
        observe: CountsObserver | None = None,
    ) -> None:
        self._detector = detector
        self._server = server
        self._store = store
        self._lookup = lookup
        self._observe = observe

    async def tick(self, now: datetime) -> list[Outcome]:
        return []

    async def handle(self, inputs: Sequence[DetectorInput]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        rejected: dict[int, str] = {}
        for i, item in enumerate(inputs):
            problem = await self._count(item)
            if problem is None:
                outcomes.append(Outcome({}, item.event))
            else:
                rejected[i] = problem
        if rejected:
            raise InputRejected(outcomes, rejected)
        return outcomes

    async def _count(self, item: DetectorInput) -> str | None:
        """Count one feedback; why not, if it cannot be counted."""
        feedback = item.payload if isinstance(item.payload, dict) else {}
        truth = feedback.get("truth")
        if truth is None:
            return "the feedback has no truth"
        prediction = feedback.get("response") or await self._lookup(self._detector, item.event)
        if prediction is None:
            return "the feedback has no response and none is logged for its request"
        try:
            counts = self._server.counts(truth, prediction)
        except ValueError as exc:
            return f"cannot compare truth and prediction: {exc}"
        key = self._detector.key
        d = key.deployment
        await self._store.add(d.namespace, d.kind, d.name, key.name, item.at, counts)
        if self._observe is not None:
            endpoint = str(item.event.get_extension("endpoint") or "default")
            self._observe(counts, namespace=d.namespace, deployment=d.name, endpoint=endpoint, detector=key.name)
        return None
