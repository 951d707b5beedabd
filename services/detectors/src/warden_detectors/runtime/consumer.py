"""Inference events from the bus -> the detectors of their deployment -> replies on `topics.DETECTIONS`.

One batch subscription to `topics.INFERENCE` in the service's own consumer group. A batch (what the bus fetched
from one partition) is grouped by detector, so each detector scores all its instances of the batch in one call.
The handler returns only after every reply of the batch is published: the bus commits offsets only then, so a
service killed mid-stream re-reads (and re-scores) what it had not answered, and loses no score. Events a
detector could not handle (its artifact failed to load, a wrong input shape) are dead-lettered with the reason
(the bus's dead-letter topic of `topics.INFERENCE`) and recorded on the detector's status.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from warden_common import topics
from warden_common.bus.port import Bus, Subscription
from warden_common.codec import Event
from warden_common.events import KSERVE_REQUEST, SELDON_FEEDBACK, SELDON_REQUEST, correlation_id
from warden_common.events.inference import KSERVE_TYPE_PREFIX
from warden_detectors.configs.model import DeploymentRef
from warden_detectors.runtime.instances import InstancesError, instance_matrix
from warden_detectors.runtime.kinds import DetectorInput, InputRejected, Outcome, Reads
from warden_detectors.runtime.registry import LiveEntry, LiveRegistry
from warden_detectors.runtime.replies import reply_event

logger = logging.getLogger(__name__)

READS: dict[str, Reads] = {SELDON_REQUEST: "requests", KSERVE_REQUEST: "requests", SELDON_FEEDBACK: "feedback"}


class DetectorFailure(Exception):
    """Why an event was not handled by one or more of its deployment's detectors (the dead letter's reason)."""


def deployment_of(event: Event) -> DeploymentRef | None:
    namespace, name = event.get_extension("namespace"), event.get_extension("inferenceservicename")
    if not namespace or not name:
        return None
    kind = "InferenceService" if event.get_type().startswith(KSERVE_TYPE_PREFIX) else "SeldonDeployment"
    return DeploymentRef(str(namespace), kind, str(name))


class InferenceEventsConsumer:
    def __init__(self, registry: LiveRegistry, bus: Bus, *, group: str, max_batch: int) -> None:
        self._registry = registry
        self._bus = bus
        self._group = group
        self._max_batch = max_batch

    async def start(self) -> Subscription:
        return await self._bus.subscribe_batch(
            topics.INFERENCE, group=self._group, handler=self.handle, max_batch=self._max_batch
        )

    async def handle(self, events: Sequence[Event]) -> Mapping[int, Exception]:
        work: dict[LiveEntry, list[tuple[int, DetectorInput]]] = {}
        failures: dict[int, list[str]] = {}
        for position, event in enumerate(events):
            reads = READS.get(event.get_type())
            deployment = deployment_of(event) if reads is not None else None
            if reads is None or deployment is None or not self._registry.has_deployment(deployment):
                continue  # no detector watches it: acknowledged as is
            entries = self._registry.for_deployment(deployment, reads)
            if not entries:
                continue
            try:
                item = _input(event, reads)
            except InstancesError as exc:
                for entry in entries:
                    entry.status.error(f"event {event.get_id()}: {exc}")
                failures.setdefault(position, []).append(f"no instances to score: {exc}")
                continue
            for entry in entries:
                work.setdefault(entry, []).append((position, item))
        results = await asyncio.gather(*(self._run(entry, items) for entry, items in work.items()))
        replies = []
        for (entry, _), (outcomes, rejected) in zip(work.items(), results, strict=True):
            replies += [(entry, outcome) for outcome in outcomes]
            for position, reason in rejected.items():
                failures.setdefault(position, []).append(f"{entry.stored.key}: {reason}")
        await self.publish(replies)
        return {position: DetectorFailure("; ".join(reasons)) for position, reasons in failures.items()}

    async def _run(
        self, entry: LiveEntry, items: list[tuple[int, DetectorInput]]
    ) -> tuple[list[Outcome], dict[int, str]]:
        """The replies of one detector to its inputs of the batch, and the batch positions it could not handle."""
        detector = await entry.ready()
        if detector is None:
            reason = f"detector failed: {entry.status.reason}"
            return [], {position: reason for position, _ in items}
        inputs = [item for _, item in items]
        async with entry.lock:
            try:
                outcomes = await detector.handle(inputs)
                rejected: dict[int, str] = {}
            except InputRejected as exc:
                outcomes = exc.outcomes
                rejected = {items[i][0]: reason for i, reason in exc.rejected.items()}
                for reason in sorted(set(exc.rejected.values())):
                    entry.status.error(reason)
            except Exception as exc:  # a detector's fault is its own: reported, never the consumer's crash
                reason = f"{type(exc).__name__}: {exc}"
                logger.warning("%s could not handle %d events: %s", entry.stored.key, len(items), reason)
                entry.status.error(reason)
                return [], {position: reason for position, _ in items}
        handled = [item for position, item in items if position not in rejected]
        entry.status.handled(
            len(handled),
            sum(len(i.rows) if i.rows is not None else 0 for i in handled),
            max((i.at for i in handled), default=None),
        )
        return outcomes, rejected

    async def publish(self, replies: Sequence[tuple[LiveEntry, Outcome]]) -> None:
        """Publish every reply (returns once all are durable on the bus)."""
        if not replies:
            return
        await asyncio.gather(*(self._publish_one(entry, outcome) for entry, outcome in replies))

    async def _publish_one(self, entry: LiveEntry, outcome: Outcome) -> None:
        event = reply_event(entry.stored, entry.kind, outcome)
        key = correlation_id(outcome.answers) if outcome.answers is not None else entry.stored.key.deployment.name
        await self._bus.publish(event, topic=topics.DETECTIONS, key=key)


def _input(event: Event, reads: Reads) -> DetectorInput:
    at = event.get_time() or datetime.now(UTC)
    data = event.get_data()
    rows = instance_matrix(data) if reads == "requests" else None
    return DetectorInput(event=event, at=at, rows=rows, payload=data)
