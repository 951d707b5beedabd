"""Outlier detection end to end on the real bus, deploy-free: Seldon request events of a deployment in, replies in
the alibi-detect server's shape out on `warden.detections`, failures on the detector's status and dead letters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from warden_common.bus.port import DLQ_REASON
from warden_detectors.runtime.arrays import Array

from .conftest import NAMESPACE, Bench, eventually, outliers_path, wait_loaded

pytestmark = pytest.mark.integration

CLEAN = [[0.1, -0.2, 0.0, 0.3], [-0.3, 0.2, 0.1, 0.0]]
SHIFTED = [[9.0, 9.0, -9.0, 9.0]]


def iforest(name: str, reference: Path, **basic: Any) -> dict[str, Any]:
    return {"name": name, "config": {"basic": {"reference_uri": str(reference), "algorithm": "IForest",
                                               "threshold_percentile": 99, **basic}}}  # fmt: skip


@pytest.mark.parametrize("bus_settings", ["postgres", "kafka"], indirect=True)
async def test_iforest_flags_shifted_rows_and_replies_with_the_request_id_and_extensions(
    bench: Bench, reference: tuple[Path, Array]
) -> None:
    async with bench.detectors() as detectors:
        created = await detectors.client.post(outliers_path("iris"), json=iforest("iris-outlier", reference[0]))
        assert created.status_code == 200, created.text
        await wait_loaded(detectors.client, outliers_path("iris") + "/iris-outlier")

        clean, shifted, mixed = await bench.send_requests("iris", [CLEAN, SHIFTED, [*CLEAN, *SHIFTED]])
        other = await bench.send_requests("other-model", [SHIFTED])  # no detector: never answered
        await eventually(lambda: all(bench.replies_to(e) for e in (clean, shifted, mixed)), "three replies")

        answers = {
            name: bench.replies_to(e)[0] for name, e in (("clean", clean), ("shifted", shifted), ("mixed", mixed))
        }
        assert answers["clean"].get_data()["data"]["is_outlier"] == [0, 0]
        assert answers["shifted"].get_data()["data"]["is_outlier"] == [1]
        assert answers["mixed"].get_data()["data"]["is_outlier"] == [0, 0, 1]
        for reply in answers.values():
            data = reply.get_data()
            assert len(data["data"]["instance_score"]) == len(data["data"]["is_outlier"])  # scores always kept
            assert data["meta"]["name"] == "IForest" and data["meta"]["detector_type"] == "outlier"
            assert reply.get_type() == "io.seldon.serving.inference.outlier"
        reply, request = answers["shifted"], shifted
        for extension in ("requestid", "modelid", "inferenceservicename", "namespace", "endpoint", "protocol"):
            assert reply.get_extension(extension) == request.get_extension(extension), extension
        scores = answers["mixed"].get_data()["data"]["instance_score"]
        assert scores[2] > max(scores[:2])
        assert bench.replies_to(other[0]) == []

        status = (await detectors.client.get(outliers_path("iris") + "/iris-outlier")).json()["status"]
        assert status["throughput"]["events"] == 3 and status["throughput"]["instances_scored"] == 6
        assert status["throughput"]["last_event_time"] is not None

        metrics = (await detectors.client.get("/metrics")).text
        labels = 'deployment="iris",detector="iris-outlier",endpoint="default",namespace="seldon"'
        assert f"seldon_metric_outlier_is_outlier{{{labels}}}" in metrics
        assert f"seldon_metric_outlier_instance_score{{{labels}}}" in metrics

        deleted = await detectors.client.delete(outliers_path("iris") + "/iris-outlier")
        assert deleted.status_code == 200, deleted.text
        assert 'detector="iris-outlier"' not in (await detectors.client.get("/metrics")).text  # its series forgotten


async def test_a_bad_artifact_fails_its_detector_and_dead_letters_while_another_keeps_scoring(
    bench: Bench, reference: tuple[Path, Array], tmp_path: Path
) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "meta.dill").write_bytes(b"not a pickle")
    async with bench.detectors() as detectors:
        path = outliers_path("income")
        good = await detectors.client.post(path, json=iforest("good", reference[0]))
        bad = await detectors.client.post(path, json={"name": "bad", "config": {"basic": {"storage_uri": str(broken)}}})
        assert good.status_code == bad.status_code == 200, bad.text
        failed = await wait_loaded(detectors.client, path + "/bad", "Failed")
        assert failed["status"]["reason"]
        await wait_loaded(detectors.client, path + "/good")

        (request,) = await bench.send_requests("income", [SHIFTED])
        await eventually(lambda: bench.replies_to(request), "the good detector's reply")
        assert bench.replies_to(request)[0].get_data()["data"]["is_outlier"] == [1]
        (dead,) = await eventually(lambda: bench.dead_letters, "a dead letter for the bad detector")
        reason = dict(dead.headers)[DLQ_REASON].decode()
        assert "bad" in reason and "failed" in reason

        # A wrong input shape: reported on the good detector's status and dead-lettered, nothing crashes.
        (narrow,) = await bench.send_requests("income", [[[1.0, 2.0]]])
        await eventually(lambda: len(bench.dead_letters) >= 2, "a dead letter for the wrong shape")
        status = (await detectors.client.get(path + "/good")).json()["status"]
        assert status["state"] == "Loaded"
        assert any("2 features" in error["reason"] for error in status["errors"])
        (later,) = await bench.send_requests("income", [CLEAN])
        await eventually(lambda: bench.replies_to(later), "the good detector still scores")
        assert bench.replies_to(narrow) == []


async def test_configs_survive_a_restart_and_the_detector_scores_again(
    bench: Bench, reference: tuple[Path, Array]
) -> None:
    path = outliers_path("iris")
    async with bench.detectors() as detectors:
        assert (await detectors.client.post(path, json=iforest("kept", reference[0]))).status_code == 200
        await wait_loaded(detectors.client, path + "/kept")
    (request,) = await bench.send_requests("iris", [SHIFTED])  # while the service is down
    async with bench.detectors() as detectors:
        listed = (await detectors.client.get(path)).json()
        assert [d["name"] for d in listed] == ["kept"]
        assert listed[0]["namespace"] == NAMESPACE and listed[0]["deployment_name"] == "iris"
        await eventually(lambda: bench.replies_to(request), "the event sent while down is scored after the restart")
        assert bench.replies_to(request)[0].get_data()["data"]["is_outlier"] == [1]
