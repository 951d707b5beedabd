"""Metrics servers (det-feedback's `FeedbackMetricsServer`) as a `DetectorKind`: feedback events in.

Each feedback's `truth` and prediction (its `response`, else the logged response of its request, found by
`lookup`) give per-class counts (`server.counts`), saved in the store; the reply is the metrics server's `{}`
(`io.seldon.serving.feedback.metrics`). Wiring metrics servers is one entry in `main.detector_kinds`:

    FeedbackKind(MetricsSpec.from_config, FeedbackMetricsServer, FeedbackMetricsStore(pool), lookup,
                 observe=feedback.metrics.record, forget=feedback.metrics.forget)

where `lookup(detector, feedback_event)` returns the logged response rows or raises `ResponseNotLogged`. A
feedback without truth, or that cannot be compared with its prediction, is rejected at once (dead-lettered with
the reason). A feedback whose response is not logged yet is looked up again with backoff until `wait_s` after the
feedback's time (the request logger writes asynchronously and its store shows writes after a refresh), then
dead-lettered saying what was missing. The wait counts from the feedback's own time, so feedback read late (a
consumer catching up) is not waited for again, and a batch is held for at most `wait_s`. Delivery is at least once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from warden_common.codec import Event
from warden_common.events import FEEDBACK_METRICS
from warden_common.events.deployments import DeploymentKind
from warden_detectors.configs.model import StoredDetector
from warden_detectors.feedback.lookup import ResponseNotLogged
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
    async def add_many(
        self, namespace: str, kind: str, deployment: str, detector: str, feedback: Iterable[tuple[datetime, Any]]
    ) -> None:
        """Add the counts of many feedbacks (time, counts) at once: all of them or none."""
        ...

    async def delete(self, namespace: str, kind: DeploymentKind, deployment: str, detector: str) -> Any: ...


class CountsObserver(Protocol):
    """Sees the counts of every counted feedback (e.g. Prometheus counters)."""

    def __call__(self, counts: Any, *, namespace: str, deployment: str, endpoint: str, detector: str) -> None: ...


logger = logging.getLogger(__name__)

ResponseLookup = Callable[[StoredDetector, Event], Awaitable[Any]]
"""The logged response rows of a feedback event's request; raises `ResponseNotLogged` when they are not (yet)."""


@dataclass(frozen=True, slots=True)
class ResponseWait:
    """How long and how often a feedback's logged response is looked for again before the feedback is
    dead-lettered. `wait_s` counts from the feedback's time; 0 = look once."""

    wait_s: float = 10.0
    initial_backoff_s: float = 0.25
    max_backoff_s: float = 2.0


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
        wait: ResponseWait | None = None,
    ) -> None:
        super().__init__(spec_from_config, store, forget)
        self._factory = server_factory
        self._store = store
        self._lookup = lookup
        self._observe = observe
        self._wait = wait or ResponseWait()

    async def build(self, detector: StoredDetector, inputs: BuildInputs) -> LiveDetector:
        server = self._factory(self._spec(detector.basic), detector.key.name)
        return FeedbackDetector(detector, server, self._store, self._lookup, self._observe, self._wait)


class Uncountable(Exception):
    """A feedback that cannot be counted, and why (its dead letter's reason)."""


class FeedbackDetector:
    def __init__(
        self,
        detector: StoredDetector,
        server: CountingServer,
        store: CountsStore,
        lookup: ResponseLookup,
        observe: CountsObserver | None = None,
        wait: ResponseWait | None = None,
    ) -> None:
        self._detector = detector
        self._server = server
        self._store = store
        self._lookup = lookup
        self._observe = observe
        self._wait = wait or ResponseWait()

    async def tick(self, now: datetime) -> list[Outcome]:
        return []

    async def handle(self, inputs: Sequence[DetectorInput]) -> list[Outcome]:
        counted: dict[int, Any] = {}  # position -> counts
        rejected: dict[int, str] = {}
        waiting = {i: self._deadline(item) for i, item in enumerate(inputs)}  # position -> when to stop looking
        backoff, first = self._wait.initial_backoff_s, True
        while True:
            for i in list(waiting):
                try:
                    counts = await self._count(inputs[i])
                except ResponseNotLogged as exc:
                    if exc.final or waiting[i] <= time.monotonic():
                        del waiting[i]
                        rejected[i] = self._not_logged(exc)
                    elif first:
                        logger.info("%s: feedback %s: %s; looking again until %gs after the feedback's time",
                                    self._detector.key, inputs[i].event.get_id(), exc, self._wait.wait_s)  # fmt: skip
                    continue
                except Uncountable as exc:
                    rejected[i] = str(exc)
                else:
                    counted[i] = counts
                del waiting[i]
            if not waiting:
                break
            await asyncio.sleep(min(backoff, max(0.0, min(waiting.values()) - time.monotonic())))
            backoff, first = min(backoff * 2, self._wait.max_backoff_s), False
        await self._save(inputs, counted)
        outcomes = [Outcome({}, inputs[i].event) for i in sorted(counted)]
        if rejected:
            raise InputRejected(outcomes, rejected)
        return outcomes

    async def _save(self, inputs: Sequence[DetectorInput], counted: Mapping[int, Any]) -> None:
        """Store the counts of a batch in one go (all or none: a failure retries the batch), then observe them."""
        if not counted:
            return
        key = self._detector.key
        d = key.deployment
        await self._store.add_many(
            d.namespace, d.kind, d.name, key.name, [(inputs[i].at, c) for i, c in counted.items()]
        )
        if self._observe is not None:
            for i, counts in counted.items():
                endpoint = str(inputs[i].event.get_extension("endpoint") or "default")
                self._observe(counts, namespace=d.namespace, deployment=d.name, endpoint=endpoint, detector=key.name)

    def _deadline(self, item: DetectorInput) -> float:
        """When (monotonic clock) to stop looking for the response of `item`: `wait_s` after the feedback's time."""
        age = (datetime.now(UTC) - item.at).total_seconds()
        return time.monotonic() + min(self._wait.wait_s, max(0.0, self._wait.wait_s - age))

    def _not_logged(self, exc: ResponseNotLogged) -> str:
        if exc.final:
            return f"the feedback has no response: {exc.reason}"
        return (f"the feedback has no response and none was logged for request {exc.request_id!r} within "
                f"{self._wait.wait_s:g}s of the feedback: {exc.reason}")  # fmt: skip

    async def _count(self, item: DetectorInput) -> Any:
        """The counts of one feedback; `Uncountable` saying why it cannot be counted, `ResponseNotLogged` when it has
        no response and its request's response is not logged (yet)."""
        feedback = item.payload if isinstance(item.payload, dict) else {}
        truth = feedback.get("truth")
        if truth is None:
            raise Uncountable("the feedback has no truth")
        prediction = feedback.get("response")
        if prediction is None or prediction == {}:
            try:
                prediction = await self._lookup(self._detector, item.event)
            except ValueError as exc:  # e.g. a logged response too large to read back (`ResponseNotLogged` passes)
                raise Uncountable(str(exc)) from None
        try:
            return self._server.counts(truth, prediction)
        except ValueError as exc:
            raise Uncountable(f"cannot compare truth and prediction: {exc}") from None
