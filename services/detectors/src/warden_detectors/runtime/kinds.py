"""The seam between the runtime and each kind of detector (outlier, drift, metrics).

A kind says which events it reads, validates its part of a config, and builds a live detector from a stored
config. The runtime does everything else: it reads the bus, turns request payloads into instance matrices,
fetches artifacts and reference data, calls the live detectors with a batch of inputs, publishes their replies on
`topics.DETECTIONS` (the incoming event's id and extensions copied), tracks status and throughput, and
dead-letters what a detector could not handle. Adding a kind is one entry in `main.detector_kinds`: drift
detectors through `runtime.windowed.WindowedKind`, metrics servers through `runtime.feedback.FeedbackKind`.

Deleting a detector calls its kind's `forget`, so no kind needs a special case in the configs service.

Delivery is at least once: a batch whose replies could not all be published, or that was in flight when the
service died, is handed to the detectors again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Protocol, cast

from warden_common.codec import Event
from warden_common.events.deployments import DeploymentKind
from warden_detectors.configs.model import DetectorKey, KindName, StoredDetector
from warden_detectors.runtime.arrays import Array

Reads = Literal["requests", "feedback"]


@dataclass(frozen=True, slots=True)
class DetectorInput:
    """One incoming event for one detector.

    `rows`: the request's instance matrix (`runtime.instances`), one row per instance, for kinds reading
    requests; None for feedback. `payload`: the event's decoded data (a feedback's `{request?, response?, truth?,
    reward?}`).
    """

    event: Event
    at: datetime
    rows: Array | None
    payload: Any


@dataclass(frozen=True, slots=True)
class Outcome:
    """A reply to publish: `data` in the alibi-detect server's shape (`{"data": {...}, "meta": {...}}`).

    `answers`: the incoming event it replies to (its id and extensions are copied), or None for a reply of the
    detector's own (a time window closed by `tick`: a new id, the deployment's extensions). `rows` counts the
    instances it covers (throughput).
    """

    data: Mapping[str, Any]
    answers: Event | None
    rows: int = 0


class InputRejected(Exception):
    """A detector could not handle some inputs (e.g. a wrong number of features): position in batch -> reason.

    The inputs it could handle are answered by `outcomes`; each rejected one is dead-lettered with its reason and
    recorded in the detector's status, and the detector stays loaded.
    """

    def __init__(self, outcomes: Sequence[Outcome], rejected: Mapping[int, str]) -> None:
        super().__init__("; ".join(sorted(set(rejected.values()))))
        self.outcomes = list(outcomes)
        self.rejected = dict(rejected)


class LiveDetector(Protocol):
    """A loaded detector. Called by one task at a time; blocking work belongs in `asyncio.to_thread`."""

    async def handle(self, inputs: Sequence[DetectorInput]) -> list[Outcome]:
        """Score / accumulate a batch of inputs (in bus order); the replies to publish. May raise `InputRejected`."""
        ...

    async def tick(self, now: datetime) -> list[Outcome]:
        """Called every `tick_interval_s`: replies due on time alone (time windows); most kinds return []."""
        ...


@dataclass(frozen=True, slots=True)
class BuildInputs:
    """What the runtime fetched for a detector before building it (each None when the config names none)."""

    artifact_dir: Path | None
    """A local copy of `config.basic.storage_uri` (a saved alibi-detect detector)."""
    reference: Array | None
    """The rows of `config.basic.reference_uri` (.npy or .csv), 2-D."""


class DetectorKind(Protocol):
    @property
    def name(self) -> KindName: ...

    @property
    def reads(self) -> Reads:
        """Which events its detectors get: request instances, or feedback."""
        ...

    @property
    def reply_types(self) -> tuple[str, str]:
        """The reply ce-types for Seldon and for KServe events (`config.deployment.event_type` may pick the
        other)."""
        ...

    def validate(self, basic: Mapping[str, Any]) -> None:
        """Check the kind's fields of `config.basic`; raise pydantic's `ValidationError` (or `ValueError`) naming
        the field. Called on create, before anything is stored."""
        ...

    async def build(self, detector: StoredDetector, inputs: BuildInputs) -> LiveDetector:
        """A live detector for `detector` (slow work in a thread). Raising marks the detector Failed with the
        reason; the events it would have handled are dead-lettered until it is fixed."""
        ...

    async def forget(self, key: DetectorKey) -> None:
        """Called once, by the replica that deleted the detector (its config is gone and its live detector
        removed): drop what it left behind, its stored results and (`drop_series`) its Prometheus series."""
        ...

    def drop_series(self, key: DetectorKey) -> None:
        """Remove this process's Prometheus series of a detector that is gone; also called by every other replica
        when its config refresh sees the detector deleted (each replica serves the series of what it handled)."""
        ...


class ResultsStore(Protocol):
    async def delete(self, namespace: str, kind: DeploymentKind, deployment: str, detector: str) -> Any: ...


class SeriesForgetter(Protocol):
    """Removes a deleted detector's Prometheus series (of every endpoint)."""

    def __call__(self, *, namespace: str, deployment: str, detector: str) -> None: ...


class StoringKind:
    """What kinds whose detectors store results and keep Prometheus series (drift, metrics) share: `validate` by
    the kind's spec parser, and `forget` = delete the stored results, then drop the series."""

    def __init__(
        self,
        spec_from_config: Callable[[Mapping[str, Any]], Any],
        results: ResultsStore,
        forget_series: SeriesForgetter | None,
    ) -> None:
        self._spec = spec_from_config
        self._results = results
        self._forget_series = forget_series

    def validate(self, basic: Mapping[str, Any]) -> None:
        self._spec(basic)

    async def forget(self, key: DetectorKey) -> None:
        d = key.deployment
        await self._results.delete(d.namespace, cast(DeploymentKind, d.kind), d.name, key.name)
        self.drop_series(key)

    def drop_series(self, key: DetectorKey) -> None:
        if self._forget_series is not None:
            self._forget_series(namespace=key.deployment.namespace, deployment=key.deployment.name, detector=key.name)


class KindRegistry:
    """The detector kinds this service runs, by name."""

    def __init__(self, kinds: Iterable[DetectorKind]) -> None:
        self._kinds: dict[str, DetectorKind] = {kind.name: kind for kind in kinds}

    def get(self, name: str) -> DetectorKind | None:
        return self._kinds.get(name)

    def names(self) -> list[str]:
        return sorted(self._kinds)
