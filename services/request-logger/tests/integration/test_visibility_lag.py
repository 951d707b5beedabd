"""A single prediction logged from the bus becomes searchable on its own, without anyone forcing a refresh, and
its lag is exported as `warden_request_log_lag_seconds`. On both log stores.

The bound asserted is a liveness check only (seconds, far above the write linger + refresh interval of the
settings): how low the lag is is measured by `bench/request_logger/run.py`, not asserted here.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from typing import Any

import pytest
from cloudevents.core.v1.event import CloudEvent

from warden_common.bus.port import Bus
from warden_request_logger.settings import RequestLoggerSettings

pytestmark = pytest.mark.integration

LIVENESS_S = 30.0


def lag_count(metrics: str, store: str) -> float:
    match = re.search(rf'^warden_request_log_lag_seconds_count\{{store="{store}"\}} (\S+)$', metrics, re.MULTILINE)
    return float(match[1]) if match else 0.0


async def test_one_prediction_becomes_searchable_without_a_forced_refresh_and_its_lag_is_exported(
    start_logger: Any, bus: Bus, logger_settings: RequestLoggerSettings, store_kind: str
) -> None:
    running = await start_logger(write_linger_s=0.05)
    before = lag_count((await running.client.get("/metrics")).text, store_kind)
    rid = str(uuid.uuid4())
    common = {"source": "/serving", "datacontenttype": "application/json", "requestid": rid,
              "inferenceservicename": "iris", "namespace": "lag"}  # fmt: skip
    for kind, data in (("request", {"data": {"ndarray": [[1.0, 2.0]]}}),
                       ("response", {"data": {"ndarray": [[0.3, 0.7]]}})):  # fmt: skip
        event = CloudEvent({**common, "type": f"io.seldon.serving.inference.{kind}", "id": str(uuid.uuid4())}, data)
        await bus.publish(event, topic=logger_settings.input_topics[0], key=rid)
    published = time.monotonic()

    found: list[dict[str, Any]] = []
    async with asyncio.timeout(LIVENESS_S):
        while not found:
            # The search API as a user calls it: no `store.refresh()` first, the store's own visibility only.
            answer = await running.client.get("/api/v1alpha1/requests", params={"namespace": "lag"})
            assert answer.status_code == 200, answer.text
            found = [h for h in answer.json()["requests"] if h["requestId"] == rid and "response" in h]
            await asyncio.sleep(0.05)
    assert "request" in found[0]
    assert time.monotonic() - published < LIVENESS_S

    metrics = (await running.client.get("/metrics")).text
    assert lag_count(metrics, store_kind) - before >= 2  # one observation per stored event
    assert re.search(rf'^warden_request_log_lag_seconds_bucket\{{le="60.0",store="{store_kind}"\}} ', metrics, re.M)
