"""`warden serve detectors` on Kafka, killed (SIGKILL) in the middle of a stream of requests and started again:
every request still gets its outlier score, because offsets are committed only after the replies are published."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from cloudevents.core.v1.event import CloudEvent

from warden_common import topics
from warden_common.bus.factory import create_bus
from warden_common.codec import Event
from warden_common.events import SELDON_REQUEST, build_event
from warden_common.settings import BusSettings
from warden_common.testing.processes import free_port, wait_http_ok
from warden_common.testing.waiting import eventually

pytestmark = pytest.mark.integration

REQUESTS = 1000
OUTLIERS = "/api/v1alpha1/namespaces/seldon/seldondeployments/income/monitor/outlier-detector"


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    warden = Path(sys.executable).with_name("warden")
    return subprocess.Popen([str(warden), "serve", "detectors", "--port", str(port)], env=env)


def _request(i: int) -> CloudEvent:
    extensions = {"requestid": f"puid-{i}", "inferenceservicename": "income", "namespace": "seldon",
                  "endpoint": "default", "modelid": "classifier"}  # fmt: skip
    row = [9.0, 9.0, 9.0] if i % 10 == 0 else [0.0, 0.1, -0.1]
    return build_event(SELDON_REQUEST, {"data": {"ndarray": [row]}}, source="/test", extensions=extensions)


async def test_killing_the_service_mid_stream_loses_no_score(
    kafka_bootstrap: str, fresh_database: str, unique_name: str, tmp_path: Path
) -> None:
    reference = tmp_path / "reference.npy"
    np.save(reference, np.random.default_rng(1).normal(size=(1000, 3)))
    port = free_port()
    env = {
        **os.environ,
        "WARDEN_DETECTORS_BUS__KIND": "kafka",
        "WARDEN_DETECTORS_BUS__KAFKA_BOOTSTRAP": kafka_bootstrap,
        "WARDEN_DETECTORS_BUS__KAFKA_NAMESPACE": f"{unique_name}.",
        "WARDEN_DETECTORS_DATABASE__DSN": fresh_database,
        "WARDEN_DETECTORS_AUTO_MIGRATE": "true",
        "WARDEN_DETECTORS_MAX_BATCH": "5",  # many small batches: the kill lands between commits
        "WARDEN_DETECTORS_DATA_DIR": str(tmp_path / "data"),
    }
    bus = create_bus(BusSettings(kind="kafka", kafka_bootstrap=kafka_bootstrap, kafka_namespace=f"{unique_name}."))
    await bus.start()
    scored: dict[str, list[int]] = {}

    async def collect(event: Event) -> None:
        data: Any = event.get_data()
        scored.setdefault(str(event.get_extension("requestid")), []).append(int(data["data"]["is_outlier"][0]))

    watcher = await bus.subscribe(topics.DETECTIONS, group=f"test-{unique_name}", handler=collect)
    proc = _serve(env, port)
    try:
        await asyncio.to_thread(wait_http_ok, f"http://127.0.0.1:{port}/health/ready", proc, 60)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            body = {
                "name": "income-od",
                "config": {"basic": {"reference_uri": str(reference), "threshold_percentile": 99.5}},
            }
            assert (await client.post(OUTLIERS, json=body)).status_code == 200

            async def loaded() -> bool:
                return bool((await client.get(f"{OUTLIERS}/income-od")).json()["status"]["state"] == "Loaded")

            await eventually(loaded, "the detector loaded", within_s=60)

        async def publish_all() -> None:
            for i in range(REQUESTS):
                await bus.publish(_request(i), topic=topics.INFERENCE, key=f"puid-{i}")

        publishing = asyncio.create_task(publish_all())  # the stream goes on while the service dies
        await eventually(lambda: len(scored) >= 50, "the first scores", within_s=60, interval_s=0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        at_kill = len(scored)
        await publishing
        assert at_kill < REQUESTS / 2, f"{at_kill} of {REQUESTS} were scored before the kill: not mid-stream"

        proc = _serve(env, port)
        await eventually(lambda: len(scored) == REQUESTS, "every request scored after the restart", within_s=120)
        assert all(flags[0] == (1 if int(puid.split("-")[1]) % 10 == 0 else 0) for puid, flags in scored.items())
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=30)
        await watcher.stop()
        await bus.close()
