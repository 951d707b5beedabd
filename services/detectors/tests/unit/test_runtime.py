"""The runtime with fake detector kinds and a fake bus: routing, replies, failures, config refreshes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import pytest

from warden_common.codec import Event
from warden_common.events import KSERVE_REQUEST, SELDON_OUTLIER, SELDON_REQUEST, build_event
from warden_common.objectstore import ObjectStoreSettings
from warden_detectors.configs.model import DeploymentRef, DetectorKey, StoredDetector
from warden_detectors.runtime.artifacts import ArtifactFetcher
from warden_detectors.runtime.consumer import InferenceEventsConsumer
from warden_detectors.runtime.kinds import BuildInputs, DetectorInput, KindRegistry, LiveDetector, Outcome
from warden_detectors.runtime.registry import LiveRegistry

IRIS = DeploymentRef("seldon", "SeldonDeployment", "iris")


class CountingDetector:
    """Replies with the number of rows of each input."""

    async def handle(self, inputs: Sequence[DetectorInput]) -> list[Outcome]:
        counts = [0 if i.rows is None else len(i.rows) for i in inputs]
        return [Outcome({"data": {"is_outlier": [0] * n}}, i.event, n) for i, n in zip(inputs, counts, strict=True)]

    async def tick(self, now: datetime) -> list[Outcome]:
        return []


class FakeKind:
    name: Literal["outlier"] = "outlier"
    reads: Literal["requests"] = "requests"
    reply_types = (SELDON_OUTLIER, "org.kubeflow.serving.inference.outlier")

    def validate(self, basic: Mapping[str, Any]) -> None:
        pass

    def __init__(self) -> None:
        self.dropped: list[str] = []

    async def forget(self, key: DetectorKey) -> None:
        self.drop_series(key)

    def drop_series(self, key: DetectorKey) -> None:
        self.dropped.append(key.name)

    async def build(self, detector: StoredDetector, inputs: BuildInputs) -> LiveDetector:
        if detector.basic.get("broken"):
            raise ValueError("artifact unreadable")
        return CountingDetector()


class FakeBus:
    def __init__(self) -> None:
        self.published: list[tuple[Event, str, Any]] = []

    async def publish(self, event: Event, *, topic: str, key: Any = None) -> None:
        self.published.append((event, topic, key))


def stored(name: str, deployment: DeploymentRef = IRIS, **basic: Any) -> StoredDetector:
    return StoredDetector(DetectorKey(deployment, "outlier", name), "outlier", {"basic": basic}, datetime.now(UTC))


def request(name: str = "iris", rows: Any = ((1.0, 2.0),), type_: str = SELDON_REQUEST) -> Any:
    extensions = {"requestid": "p1", "inferenceservicename": name, "namespace": "seldon", "endpoint": "default"}
    rows = [list(r) for r in rows]
    payload = {"instances": rows} if type_ == KSERVE_REQUEST else {"data": {"ndarray": rows}}
    return build_event(type_, payload, source="/x", extensions=extensions)


@pytest.fixture
def registry(tmp_path: Path) -> LiveRegistry:
    return LiveRegistry(KindRegistry([FakeKind()]), ArtifactFetcher(tmp_path, ObjectStoreSettings()))


async def test_replies_copy_id_and_extensions_and_a_failed_detector_dead_letters(registry: LiveRegistry) -> None:
    registry.sync([stored("good"), stored("bad", broken=True)], registry.version)
    bus = FakeBus()
    consumer = InferenceEventsConsumer(registry, bus, group="g", max_batch=10)  # type: ignore[arg-type]
    # iris's request, another deployment's, an InferenceService iris's (another kind), rows that are not numbers
    events = [request(), request("other"), request(type_=KSERVE_REQUEST), request(rows=(("a", "b"),))]
    rejected = await consumer.handle(events)

    assert sorted(rejected) == [0, 3]  # the bad detector's, and rows that are not numbers
    assert "bad" in str(rejected[0]) and "artifact unreadable" in str(rejected[0])
    (reply, topic, key), = bus.published  # fmt: skip
    assert topic == "warden.detections" and key == "p1"
    assert reply.get_id() == events[0].get_id() and reply.get_type() == SELDON_OUTLIER
    assert reply.get_extension("requestid") == "p1" and reply.get_extension("endpoint") == "default"
    good = registry.status(DetectorKey(IRIS, "outlier", "good"))
    assert (good.state, good.throughput.events, good.throughput.instances_scored) == ("Loaded", 1, 1)
    assert good.errors and "not numbers" in good.errors[0].reason
    bad = registry.status(DetectorKey(IRIS, "outlier", "bad"))
    assert bad.state == "Failed" and bad.reason == "ValueError: artifact unreadable"


async def test_a_refresh_read_before_a_local_change_does_not_undo_it(registry: LiveRegistry) -> None:
    before = registry.version
    registry.put(stored("new"))  # created through the API while the refresh was reading
    assert registry.sync([], before) is False
    assert [e.stored.key.name for e in registry.entries()] == ["new"]
    assert registry.sync([], registry.version) is True
    assert registry.entries() == []
    await registry.close()


async def test_a_detector_deleted_through_another_replica_loses_its_series_here(tmp_path: Path) -> None:
    kind = FakeKind()
    registry = LiveRegistry(KindRegistry([kind]), ArtifactFetcher(tmp_path, ObjectStoreSettings()))
    registry.sync([stored("kept"), stored("gone")], registry.version)
    registry.put(stored("kept"))  # the same version again: not reloaded, nothing dropped
    assert kind.dropped == []
    registry.sync([stored("kept")], registry.version)
    assert kind.dropped == ["gone"] and [e.stored.key.name for e in registry.entries()] == ["kept"]
    await registry.close()
