"""Inference events exactly in the Seldon executor format (over Kafka); the async mode never drops."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from warden_common.codec import encode_http_binary
from warden_common.events import SELDON_FEEDBACK, SELDON_REQUEST, SELDON_RESPONSE
from warden_common.settings import BusSettings
from warden_common.testing.waiting import eventually
from warden_common.topics import INFERENCE

from .harness import predictor, run_serving, seldon_deployment
from .test_canary import IRIS_REQUEST

pytestmark = pytest.mark.integration


async def test_executor_format_on_kafka(kafka_bootstrap: str, mlserver_bin: str, demo_models: dict[str, str],
                                       tmp_path: Path, unique_name: str) -> None:  # fmt: skip
    # Its own namespace: the reconciler's group must not replay deployments other tests left on the shared topic.
    bus = BusSettings(kind="kafka", kafka_bootstrap=kafka_bootstrap, kafka_namespace=f"{unique_name}.")
    async with run_serving(bus, mlserver_bin, tmp_path / "serving", unique_name) as serving:
        events = await serving.collect(INFERENCE, f"test-format-{unique_name}")
        spec = seldon_deployment(serving.namespace, "iris", [
            predictor("default", "SKLEARN_SERVER", demo_models["iris-sklearn"]),
        ])  # fmt: skip
        uid = str(uuid.uuid4())
        spec["metadata"]["uid"] = uid  # as the gateway publishes it: the stored object, metadata and all
        await serving.publish_spec("iris", spec)
        await serving.wait_status("iris", "Available")
        puid = str(uuid.uuid4())
        response = await serving.http.post(
            serving.data_url("iris", "/api/v1.0/predictions"), json=IRIS_REQUEST, headers={"Seldon-Puid": puid}
        )
        assert response.status_code == 200 and response.headers["Seldon-Puid"] == puid
        assert response.headers["X-Warden-Endpoint"] == "default"  # the predictor that answered
        marked = await serving.http.post(serving.data_url("iris", "/api/v1.0/predictions"), json=IRIS_REQUEST,
                                         headers={"X-Warden-Loadtest": "loadtest-1"})  # fmt: skip
        assert marked.status_code == 200
        skipped = await serving.http.post(
            serving.data_url("iris", "/api/v1.0/predictions"),
            json=IRIS_REQUEST,
            headers={"Seldon-Skip-Logging": "true"},
        )
        assert skipped.status_code == 200
        feedback = await serving.http.post(
            serving.data_url("iris", "/api/v1.0/feedback"), json={"reward": 1.0}, headers={"Seldon-Puid": puid}
        )
        assert feedback.status_code == 200, feedback.text
        await events.wait_for(
            lambda evs: {e.get_type() for e in evs} >= {SELDON_REQUEST, SELDON_RESPONSE, SELDON_FEEDBACK}
        )

        await events.wait_for(lambda evs: len(evs) >= 5)
        load = [e for e in events.events if e.get_extension("requestid") == marked.headers["Seldon-Puid"]]
        assert sorted(e.get_type() for e in load) == [SELDON_REQUEST, SELDON_RESPONSE]
        assert {e.get_extension("loadtest") for e in load} == {"loadtest-1"}  # load-test traffic is marked
        real = [e for e in events.events if e not in load]
        assert all(e.get_extension("loadtest") is None for e in real)
        by_type = {e.get_type(): e for e in real}
        assert len(real) == 3  # nothing for the skipped call
        assert len({e.get_id() for e in events.events}) == 5  # a new id per event
        for type_, event in by_type.items():
            headers, body = encode_http_binary(event)  # a received event, re-encoded as an executor would send it
            lowered = {k.lower(): v for k, v in headers.items()}
            assert lowered["ce-type"] == type_
            assert lowered["ce-specversion"] == "1.0"
            assert lowered["ce-requestid"] == puid
            assert lowered["ce-modelid"] == "classifier"
            assert lowered["ce-inferenceservicename"] == "iris"
            assert lowered["ce-namespace"] == serving.namespace
            assert lowered["ce-endpoint"] == "default"
            assert lowered["ce-protocol"] == "seldon"
            assert lowered["ce-deploymentuid"] == uid  # Warden's own extension: which life of the name served it
            assert lowered["ce-source"].startswith("http://") and lowered["ce-source"].endswith("/")
            assert lowered["ce-time"] and lowered["content-type"] == "application/json"
            assert body
        assert by_type[SELDON_REQUEST].get_data() == IRIS_REQUEST
        assert by_type[SELDON_RESPONSE].get_data() == response.json()
        assert by_type[SELDON_FEEDBACK].get_data() == {"reward": 1.0}


async def test_async_delivery_spills_to_disk_and_loses_nothing(postgres_bus: BusSettings, mlserver_bin: str,
                                                               demo_models: dict[str, str], tmp_path: Path,
                                                               unique_name: str) -> None:  # fmt: skip
    data_dir = tmp_path / "serving"
    async with run_serving(
        postgres_bus, mlserver_bin, data_dir, unique_name, event_delivery="async", async_buffer_events=3
    ) as serving:
        events = await serving.collect(INFERENCE, "test-async")
        spec = seldon_deployment(serving.namespace, "iris", [
            predictor("default", "SKLEARN_SERVER", demo_models["iris-sklearn"]),
        ])  # fmt: skip
        uid = str(uuid.uuid4())
        spec["metadata"]["uid"] = uid  # as the gateway publishes it: the stored object, metadata and all
        await serving.publish_spec("iris", spec)
        await serving.wait_status("iris", "Available")
        puids = []
        for _ in range(60):
            response = await serving.http.post(serving.data_url("iris", "/api/v1.0/predictions"), json=IRIS_REQUEST)
            assert response.status_code == 200
            puids.append(response.headers["Seldon-Puid"])
        await events.wait_for(lambda evs: len(evs) >= 120)
        assert sorted(e.get_extension("requestid") for e in events.events) == sorted(puids * 2)
        assert serving.app.state.event_sink.spilled_total > 0  # the 3-event buffer overflowed to disk
        # the small buffer forced spilling: the spill directory exists and is empty once drained
        spill = data_dir / "event-spill"
        assert spill.is_dir()
        # The drainer removes a spill file only after the bus took its last event, which we may see first.
        await eventually(lambda: not any(spill.iterdir()), "the drained spill files removed")
