"""Drift detectors and metrics servers through the running service: configs API in, Seldon events on the real bus,
replies on `warden.detections`, the timeline / metrics routes and the Prometheus series; deleting forgets them."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from prometheus_client.parser import text_string_to_metric_families

from warden_common import topics
from warden_common.bus.port import DLQ_REASON
from warden_common.codec import Event
from warden_common.events import SELDON_DRIFT, SELDON_FEEDBACK, build_event
from warden_common.logstore import DeploymentRef, InstanceWrite
from warden_common.logstore.document import instance_doc_id
from warden_common.logstore.postgres import PostgresLogStore
from warden_detectors.runtime.arrays import Array

from .conftest import API, NAMESPACE, Bench, Detectors, eventually, wait_loaded

pytestmark = pytest.mark.integration


def monitor_path(deployment: str, segment: str) -> str:
    return f"{API}/namespaces/{NAMESPACE}/seldondeployments/{deployment}/monitor/{segment}"


async def samples(detectors: Detectors, metric: str, detector: str) -> dict[tuple[tuple[str, str], ...], float]:
    """The samples of `metric` in the service's /metrics for `detector`: sorted labels (without it) -> value."""
    text = (await detectors.client.get("/metrics")).text
    found: dict[tuple[tuple[str, str], ...], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == metric and sample.labels.get("detector") == detector:
                labels = {k: v for k, v in sample.labels.items() if k != "detector"}
                found[tuple(sorted(labels.items()))] = sample.value
    return found


@pytest.mark.parametrize("bus_settings", ["postgres", "kafka"], indirect=True)
async def test_drift_windows_of_shifted_requests_are_replied_timelined_and_gauged(
    bench: Bench, reference: tuple[Path, Array]
) -> None:
    path = monitor_path("income", "drift-detector")
    body = {"name": "income-drift", "config": {"basic": {"reference_uri": str(reference[0]), "drift_batch_size": 100}}}
    rng = np.random.default_rng(11)
    # Six requests of 50 rows, the last two features shifted by 1.5: every second one fills a window of 100.
    shift = np.array([0.0, 0.0, 1.5, 1.5])
    batches = [(rng.normal(size=(50, 4)) + shift).tolist() for _ in range(6)]
    async with bench.detectors() as detectors:
        created = await detectors.client.post(path, json=body)
        assert created.status_code == 200, created.text
        await wait_loaded(detectors.client, f"{path}/income-drift")

        requests = await bench.send_requests("income", batches)
        # 300 rows: three windows, each answered to the request that filled it (which one depends on how the bus
        # interleaves its partitions), with that request's id and extensions.
        await eventually(lambda: len(bench.replies) >= 3, "three drift replies")
        by_id = {e.get_id(): e for e in requests}
        assert len(bench.replies) == 3 and len({r.get_id() for r in bench.replies}) == 3
        for reply in bench.replies:
            request = by_id[reply.get_id()]
            assert reply.get_type() == SELDON_DRIFT
            for extension in ("requestid", "modelid", "inferenceservicename", "namespace", "endpoint"):
                assert reply.get_extension(extension) == request.get_extension(extension), extension
            data = reply.get_data()
            assert data["data"]["is_drift"] == 1 and data["meta"]["detector_type"] == "drift"
            p_values = data["data"]["p_val"]
            assert max(p_values[2:]) < 1e-6 and min(p_values[:2]) > 1e-3  # the shifted features, and only they

        timeline = await detectors.client.get(f"{path}/income-drift/timeline")
        assert timeline.status_code == 200, timeline.text
        windows = timeline.json()["windows"]
        assert [(w["rows"], w["isDrift"], w["algorithm"]) for w in windows] == [(100, True, "KSDrift")] * 3
        assert [w["windowEnd"] for w in windows] == sorted(w["windowEnd"] for w in windows)

        where = (("deployment", "income"), ("endpoint", "default"), ("feature", ""), ("namespace", NAMESPACE))
        assert (await samples(detectors, "seldon_metric_drift_is_drift", "income-drift"))[where] == 1.0
        p_gauges = await samples(detectors, "seldon_metric_drift_p_val", "income-drift")
        assert {dict(labels)["feature"] for labels in p_gauges} == {"0", "1", "2", "3"}

        assert (await detectors.client.delete(f"{path}/income-drift")).status_code == 200
        assert await samples(detectors, "seldon_metric_drift_p_val", "income-drift") == {}
        gone = await detectors.client.get(f"{path}/income-drift/timeline")
        assert gone.status_code == 404, gone.text
        store = detectors.app.state.drift_results
        assert (await store.timeline(NAMESPACE, "SeldonDeployment", "income", "income-drift")).windows == []


def seldon_feedback(deployment: str, puid: str, feedback: dict[str, Any]) -> Event:
    """A feedback event as the Seldon executor publishes it (POST .../api/v1.0/feedback)."""
    extensions = {"requestid": puid, "inferenceservicename": deployment, "namespace": NAMESPACE,
                  "endpoint": "default", "protocol": "seldon"}  # fmt: skip
    return build_event(SELDON_FEEDBACK, feedback, source="http://executor:8000/", extensions=extensions)


def classes(*numbers: int) -> dict[str, Any]:
    return {"data": {"ndarray": [[n] for n in numbers]}}


async def log_request_and_response(dsn: str, deployment: str, puid: str, rows: list[list[float]],
                                   predicted: list[int]) -> None:  # fmt: skip
    """Write a request and its response to the PostgreSQL request log as the request logger does: one document per
    instance, the request and response parts merged into it."""
    store = PostgresLogStore(dsn, pool_size=1, migrate=False)  # the detectors service migrated it (standalone)
    await store.start()
    try:
        ref = DeploymentRef(NAMESPACE, deployment)
        time = "2026-03-01T09:00:00+00:00"

        def part(value: list[Any]) -> dict[str, Any]:
            return {"time": time, "ceId": f"ce-{puid}", "dataType": "tabular", "batchSize": len(rows),
                    "instance": {"value": value}}  # fmt: skip

        parts: tuple[tuple[str, list[list[Any]]], ...] = (("request", rows), ("response", [[p] for p in predicted]))
        writes = [
            InstanceWrite(ref, instance_doc_id(puid, i), {"requestId": puid, "itemIndex": i, "endpoint": "default",
                                                          "engine": "seldon", "timestamp": time, name: part(value)})
            for name, values in parts
            for i, value in enumerate(values)
        ]  # fmt: skip
        assert await store.write(writes) == []
        await store.refresh()
    finally:
        await store.close()


@pytest.mark.parametrize("bus_settings", ["postgres", "kafka"], indirect=True)
async def test_a_metrics_server_counts_feedback_with_its_response_or_the_logged_one(bench: Bench) -> None:
    path = monitor_path("iris", "metrics-server")
    body = {"name": "iris-metrics", "config": {"basic": {"model_type": "multiclass_numeric", "classes": 3}}}
    async with bench.detectors() as detectors:
        created = await detectors.client.post(path, json=body)
        assert created.status_code == 200, created.text
        await wait_loaded(detectors.client, f"{path}/iris-metrics")

        await log_request_and_response(bench.dsn, "iris", "puid-logged", [[5.1, 3.5, 1.4, 0.2]] * 2, [0, 2])
        feedback = [
            seldon_feedback("iris", "puid-1", {"response": classes(1), "truth": classes(1)}),
            seldon_feedback("iris", "puid-2", {"response": classes(2, 0), "truth": classes(2, 1)}),
            seldon_feedback("iris", "puid-logged", {"truth": classes(0, 1)}),  # the response is in the request log
        ]
        for event in feedback:
            await bench.bus.publish(event, topic=topics.INFERENCE, key=str(event.get_extension("requestid")))
        await eventually(lambda: all(bench.replies_to(e) for e in feedback), "three feedback replies")
        assert bench.dead_letters == []

        answer = await detectors.client.get(f"{path}/iris-metrics/metrics")
        assert answer.status_code == 200, answer.text
        summary = answer.json()
        # Rows (truth, predicted): (1,1), (2,2), (1,0), (0,0), (1,2).
        assert (summary["rows"], summary["correct"]) == (5, 3)
        per_class = {c["class"]: (c["truePositive"], c["falsePositive"], c["trueNegative"], c["falseNegative"])
                     for c in summary["classes"]}  # fmt: skip
        assert per_class == {"CLASS_0": (1, 1, 3, 0), "CLASS_1": (1, 0, 2, 2), "CLASS_2": (1, 1, 3, 0)}

        where = (("class", "CLASS_1"), ("deployment", "iris"), ("endpoint", "default"), ("namespace", NAMESPACE))
        assert (await samples(detectors, "seldon_metric_true_positive_total", "iris-metrics"))[where] == 1.0
        assert (await samples(detectors, "seldon_metric_false_negative_total", "iris-metrics"))[where] == 2.0

        assert (await detectors.client.delete(f"{path}/iris-metrics")).status_code == 200
        assert await samples(detectors, "seldon_metric_true_positive_total", "iris-metrics") == {}
        assert (await detectors.client.get(f"{path}/iris-metrics/metrics")).status_code == 404
        store = detectors.app.state.feedback_metrics
        assert (await store.summary(NAMESPACE, "SeldonDeployment", "iris", "iris-metrics")).rows == 0


async def test_feedback_whose_response_is_logged_late_is_counted_and_one_never_logged_is_dead_lettered(
    bench: Bench, caplog: pytest.LogCaptureFixture
) -> None:
    path = monitor_path("iris", "metrics-server")
    body = {"name": "iris-late", "config": {"basic": {"model_type": "multiclass_numeric", "classes": 3}}}
    caplog.set_level(logging.INFO, logger="warden_detectors.runtime.feedback")
    async with bench.detectors(feedback_response_wait_s=6.0) as detectors:
        created = await detectors.client.post(path, json=body)
        assert created.status_code == 200, created.text
        await wait_loaded(detectors.client, f"{path}/iris-late")

        late = seldon_feedback("iris", "puid-late", {"truth": classes(0, 1)})
        never = seldon_feedback("iris", "puid-never", {"truth": classes(2)})
        for event in (late, never):
            await bench.bus.publish(event, topic=topics.INFERENCE, key="one-partition")  # one batch, in order

        def looked_for(event: Event) -> bool:
            return any(event.get_id() in r.getMessage() and "looking again" in r.getMessage() for r in caplog.records)

        # The metrics server has looked for the response of `late` and not found it: only now is it logged.
        await eventually(lambda: looked_for(late), "the first lookup of the late feedback's response")
        await log_request_and_response(bench.dsn, "iris", "puid-late", [[5.1, 3.5, 1.4, 0.2]] * 2, [0, 2])

        await eventually(lambda: bench.replies_to(late) != [], "the late feedback counted")
        await eventually(lambda: bench.dead_letters != [], "the feedback never logged dead-lettered")
        (letter,) = bench.dead_letters
        headers = dict(letter.headers)
        assert headers["ce_id"].decode() == never.get_id()
        assert (
            headers[DLQ_REASON]
            .decode()
            .endswith(
                "none was logged for request 'puid-never' within 6s of the feedback: the request log of seldon/iris "
                "(endpoint default) holds no instance of it"
            )
        )
        assert bench.replies_to(never) == []
        summary = (await detectors.client.get(f"{path}/iris-late/metrics")).json()
        assert (summary["rows"], summary["correct"]) == (2, 1)  # (0, 0) and (1, 2): only `late` counted
        status = (await detectors.client.get(f"{path}/iris-late")).json()["status"]
        assert any("puid-never" in error["reason"] for error in status["errors"]), status


async def test_a_time_window_with_little_traffic_closes_on_time_without_another_request(
    bench: Bench, reference: tuple[Path, Array]
) -> None:
    """Three requests of 5 rows, then silence: the window they fall in is tested and replied when its time is up
    (the runtime's tick), not when some later request happens to arrive."""
    path = monitor_path("income", "drift-detector")
    basic = {"reference_uri": str(reference[0]), "window_seconds": 2, "min_window_rows": 2}
    body = {"name": "income-trickle", "config": {"basic": basic}}
    rng = np.random.default_rng(5)
    async with bench.detectors(tick_interval_s=0.2) as detectors:
        created = await detectors.client.post(path, json=body)
        assert created.status_code == 200, created.text
        await wait_loaded(detectors.client, f"{path}/income-trickle")

        await bench.send_requests("income", [rng.normal(size=(5, 4)).tolist() for _ in range(3)])
        # Nothing else is sent. The rows span at most two 2-second windows; each closes by the clock.
        windows = await eventually(
            lambda: _tested_windows(detectors, path), "the trickle's windows closed on time", within_s=20
        )
        assert sum(w["rows"] for w in windows) == 15
        assert all(w["algorithm"] == "KSDrift" and w["isDrift"] is False for w in windows)
        # Each closed window is answered, with no request to ride on. The timeline shows a window once it is saved,
        # and its reply is published after that and reaches this test through the bus: wait for it.
        await eventually(lambda: len(bench.replies) >= len(windows), "a reply per closed window", within_s=10)
        await asyncio.sleep(1.0)  # five more ticks: a window answered twice would show by now
        assert len(bench.replies) == len(windows)


async def _tested_windows(detectors: Detectors, path: str) -> list[dict[str, Any]] | None:
    answer = await detectors.client.get(f"{path}/income-trickle/timeline")
    windows: list[dict[str, Any]] = answer.json().get("windows", []) if answer.status_code == 200 else []
    tested = [w for w in windows if w.get("rows")]
    return tested if sum(w["rows"] for w in tested) == 15 else None
