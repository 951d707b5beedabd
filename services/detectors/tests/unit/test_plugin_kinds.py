"""The adapters drift detectors and metrics servers plug in through, with fakes shaped like the seams of
DETECTORS.md (`DriftMonitor`, `DriftResultsStore`, `FeedbackMetricsServer`, `FeedbackMetricsStore`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import BaseModel, Field

from warden_common.codec import Event
from warden_common.events import FEEDBACK_METRICS, KSERVE_DRIFT, SELDON_DRIFT, SELDON_FEEDBACK, SELDON_REQUEST
from warden_common.events import build_event as build
from warden_detectors.configs.model import DeploymentRef, DetectorKey, StoredDetector
from warden_detectors.feedback.lookup import ResponseNotLogged
from warden_detectors.runtime.arrays import Array
from warden_detectors.runtime.feedback import FeedbackKind, ResponseWait
from warden_detectors.runtime.kinds import BuildInputs, DetectorInput, DetectorKind, InputRejected, KindRegistry
from warden_detectors.runtime.replies import reply_event
from warden_detectors.runtime.windowed import WindowedKind

IRIS = DeploymentRef("seldon", "SeldonDeployment", "iris")
T0 = datetime(2026, 1, 1, tzinfo=UTC)


class Spec(BaseModel):
    drift_batch_size: int = Field(3, ge=1)

    @classmethod
    def from_config(cls, basic: Mapping[str, Any]) -> Spec:
        return cls.model_validate(dict(basic))


class Result:
    def __init__(self, rows: int) -> None:
        self.rows = rows

    def reply(self) -> dict[str, Any]:
        return {"data": {"is_drift": 0, "p_val": 0.5}, "meta": {"name": "KSDrift"}}


class Monitor:
    """Count windows of `drift_batch_size` rows; a time window closes whatever is pending."""

    def __init__(self, spec: Spec, reference: Array | None, artifact_dir: Path | None, name: str) -> None:
        self.size, self.pending = spec.drift_batch_size, 0

    def add(self, rows: Array, at: datetime) -> list[Result]:
        if rows.shape[1] != 2:
            raise ValueError(f"expected 2 features, got {rows.shape[1]}")
        self.pending += len(rows)
        closed = []
        while self.pending >= self.size:
            self.pending -= self.size
            closed.append(Result(self.size))
        return closed

    def tick(self, now: datetime) -> list[Result]:
        closed, self.pending = ([Result(self.pending)] if self.pending else []), 0
        return closed


class Store:
    def __init__(self) -> None:
        self.saved: list[tuple[Any, ...]] = []

    async def save(self, namespace: str, kind: str, deployment: str, detector: str, result: Any) -> None:
        self.saved.append((namespace, kind, deployment, detector, result))

    async def add(self, namespace: str, kind: str, deployment: str, detector: str, at: datetime, counts: Any) -> None:
        self.saved.append((namespace, kind, deployment, detector, at, counts))

    async def add_many(
        self, namespace: str, kind: str, deployment: str, detector: str, feedback: Iterable[tuple[datetime, Any]]
    ) -> None:
        for at, counts in feedback:
            await self.add(namespace, kind, deployment, detector, at, counts)

    async def delete(self, namespace: str, kind: str, deployment: str, detector: str) -> None:
        self.saved = [s for s in self.saved if s[:4] != (namespace, kind, deployment, detector)]


def detector(kind: Any, name: str) -> StoredDetector:
    return StoredDetector(DetectorKey(IRIS, kind, name), kind, {"basic": {}}, T0)


def item(type_: str, payload: Any, rows: Array | None, at: datetime = T0, request_id: str = "p1") -> DetectorInput:
    extensions = {"requestid": request_id, "inferenceservicename": "iris", "namespace": "seldon"}
    event: Event = build(type_, payload, source="/x", extensions=extensions)
    return DetectorInput(event, at, rows, payload)


async def test_windowed_kind_replies_to_the_request_closing_a_window_and_on_time() -> None:
    store = Store()
    kind = WindowedKind("drift", (SELDON_DRIFT, KSERVE_DRIFT), Spec.from_config, Monitor, store)
    KindRegistry([kind])  # it is a DetectorKind
    with pytest.raises(ValueError, match="drift_batch_size"):
        kind.validate({"drift_batch_size": 0})
    stored = detector("drift", "iris-drift")
    live = await kind.build(stored, BuildInputs(None, None))
    rows = np.zeros((2, 2))
    first, second = item(SELDON_REQUEST, {}, rows), item(SELDON_REQUEST, {}, rows)
    wrong = item(SELDON_REQUEST, {}, np.zeros((1, 5)))
    with pytest.raises(InputRejected) as caught:
        await live.handle([first, wrong, second])
    assert caught.value.rejected == {1: "cannot add the instances: expected 2 features, got 5"}
    (closed,) = caught.value.outcomes  # 4 rows: one window of 3, one row pending
    assert closed.answers is second.event
    event = reply_event(stored, kind, closed)
    assert event.get_type() == SELDON_DRIFT and event.get_id() == second.event.get_id()

    (on_time,) = await live.tick(T0 + timedelta(minutes=1))
    assert on_time.answers is None
    assert reply_event(stored, kind, on_time).get_extension("inferenceservicename") == "iris"
    assert [s[:4] for s in store.saved] == [("seldon", "SeldonDeployment", "iris", "iris-drift")] * 2
    assert [s[4].rows for s in store.saved] == [3, 1]


@pytest.mark.parametrize("kind_name", ["drift", "metrics"])
async def test_forgetting_a_deleted_detector_drops_its_results_and_series(kind_name: str) -> None:
    store, forgotten = Store(), []

    def forget(*, namespace: str, deployment: str, detector: str) -> None:
        forgotten.append((namespace, deployment, detector))

    async def no_lookup(stored: StoredDetector, event: Event) -> Any:
        return None

    kind: DetectorKind = (
        WindowedKind("drift", (SELDON_DRIFT, KSERVE_DRIFT), Spec.from_config, Monitor, store, forget=forget)
        if kind_name == "drift"
        else FeedbackKind(Spec.from_config, Server, store, no_lookup, forget=forget)
    )
    for name in ("gone", "kept"):
        await store.add("seldon", "SeldonDeployment", "iris", name, T0, {})
    await kind.forget(DetectorKey(IRIS, kind.name, "gone"))
    assert [s[3] for s in store.saved] == ["kept"]
    assert forgotten == [("seldon", "iris", "gone")]


class Server:
    def __init__(self, spec: Any, name: str) -> None:
        self.name = name

    def counts(self, truth: Any, prediction: Any) -> dict[str, int]:
        t, p = truth["data"]["ndarray"][0], prediction["data"]["ndarray"][0]
        if not isinstance(t, int):
            raise ValueError("truth is not a class number")
        return {"tp": int(t == p), "fp": int(t != p)}


async def test_feedback_kind_counts_with_the_response_or_the_logged_one() -> None:
    store, looked_up = Store(), []

    async def lookup(stored: StoredDetector, event: Event) -> Any:
        looked_up.append(event.get_extension("requestid"))
        return {"data": {"ndarray": [1]}}

    kind = FeedbackKind(Spec.from_config, Server, store, lookup)
    registered: list[DetectorKind] = [kind]
    assert KindRegistry(registered).get("metrics") is kind
    stored = detector("metrics", "iris-metrics")
    live = await kind.build(stored, BuildInputs(None, None))
    truth = {"data": {"ndarray": [1]}}
    with_response = item(SELDON_FEEDBACK, {"truth": truth, "response": {"data": {"ndarray": [0]}}}, None)
    without = item(SELDON_FEEDBACK, {"truth": truth}, None)
    no_truth = item(SELDON_FEEDBACK, {"reward": 1.0}, None)
    bad_truth = item(SELDON_FEEDBACK, {"truth": {"data": {"ndarray": ["x"]}}, "response": truth}, None)
    with pytest.raises(InputRejected) as caught:
        await live.handle([with_response, without, no_truth, bad_truth])
    assert caught.value.rejected == {2: "the feedback has no truth",
                                     3: "cannot compare truth and prediction: truth is not a class number"}  # fmt: skip
    assert [s[5] for s in store.saved] == [{"tp": 0, "fp": 1}, {"tp": 1, "fp": 0}]
    assert looked_up == ["p1"]
    reply = reply_event(stored, kind, caught.value.outcomes[0])
    assert reply.get_type() == FEEDBACK_METRICS and reply.get_data() == {}


async def test_feedback_whose_response_is_logged_late_is_counted_and_one_never_logged_is_rejected_saying_so() -> None:
    store, looked_up = Store(), []
    logged_after = {"late": 3, "never": 10**6, "stale": 10**6, "": 10**6}  # lookups before the response is there

    async def lookup(stored: StoredDetector, event: Event) -> Any:
        request_id = str(event.get_extension("requestid"))
        looked_up.append(request_id)
        if request_id == "":
            raise ResponseNotLogged("", "the feedback has neither a response nor a request id", final=True)
        if looked_up.count(request_id) < logged_after[request_id]:
            raise ResponseNotLogged(request_id, "the request log holds no instance of it")
        return {"data": {"ndarray": [1]}}

    wait = ResponseWait(wait_s=0.6, initial_backoff_s=0.05, max_backoff_s=0.1)
    kind = FeedbackKind(Spec.from_config, Server, store, lookup, wait=wait)
    live = await kind.build(detector("metrics", "iris-metrics"), BuildInputs(None, None))
    truth = {"truth": {"data": {"ndarray": [1]}}}
    now = datetime.now(UTC)
    inputs = [item(SELDON_FEEDBACK, truth, None, now, "late"), item(SELDON_FEEDBACK, truth, None, now, "never"),
              item(SELDON_FEEDBACK, truth, None, now - timedelta(hours=1), "stale"),  # read late: not waited for
              item(SELDON_FEEDBACK, truth, None, now, "")]  # fmt: skip
    with pytest.raises(InputRejected) as caught:
        await live.handle(inputs)
    assert [o.answers for o in caught.value.outcomes] == [inputs[0].event]
    assert [s[5] for s in store.saved] == [{"tp": 1, "fp": 0}]
    rejected = caught.value.rejected
    assert sorted(rejected) == [1, 2, 3]
    for position, request_id in ((1, "never"), (2, "stale")):
        assert rejected[position] == (
            f"the feedback has no response and none was logged for request {request_id!r} within 0.6s of the "
            "feedback: the request log holds no instance of it"
        )
    assert rejected[3] == "the feedback has no response: the feedback has neither a response nor a request id"
    assert looked_up.count("late") == 3 and looked_up.count("stale") == 1 and looked_up.count("") == 1
    assert looked_up.count("never") > 3  # looked for again until the wait was over
