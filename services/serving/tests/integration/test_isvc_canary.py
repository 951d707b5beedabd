"""An InferenceService canary the KServe way, driven through the real gateway API (in-process, same bus).

The gateway keeps the rolled-out predictor in `status.warden.stablePredictor` and sets `canaryTrafficPercent` on
the new one; serving runs both, splits the traffic, and a promotion under load ends on the new model with no
failed request. The gateway's object then shows each predictor's own state, from serving's status events.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from warden_common.events import SELDON_REQUEST
from warden_common.platform import Platform
from warden_common.testing.auth import AUTH_OFF
from warden_common.topics import INFERENCE
from warden_gateway.main import create_app as create_gateway
from warden_gateway.settings import GatewaySettings

from .harness import WAIT_S, Serving, wait_exited
from .test_canary import IRIS_REQUEST, served_by

pytestmark = pytest.mark.integration

API = "/seldon-deploy/api/v1alpha1"
INSTANCES = {"instances": [[6.8, 2.8, 4.8, 1.4], [5.1, 3.5, 1.4, 0.2]]}


@contextlib.asynccontextmanager
async def gateway_for(serving: Serving, database_dsn: str) -> AsyncIterator[httpx.AsyncClient]:
    platform = Platform(
        mode="standalone", bus=serving.bus, database_dsn=database_dsn, local_apps={"serving": serving.app}
    )
    app = create_gateway(GatewaySettings(auth=AUTH_OFF), platform)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://warden.test", timeout=60) as client:
            yield client


async def poll(check: Any, what: str, within_s: float = WAIT_S) -> Any:
    last = None
    deadline = asyncio.get_running_loop().time() + within_s
    while asyncio.get_running_loop().time() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(0.2)
    raise AssertionError(f"{what} not reached within {within_s}s; last: {last}")


async def test_isvc_canary_splits_traffic_and_promotes_without_failures(
    serving: Serving, demo_models: dict[str, str], fresh_database: str
) -> None:
    ns = serving.namespace
    base = f"{API}/namespaces/{ns}/inferenceservices/iris"
    v1 = serving.data_url("iris", "/v1/models/iris:predict")
    async with gateway_for(serving, fresh_database) as gateway:
        assert (await gateway.post(f"{API}/namespaces", json={"name": ns})).status_code == 201
        isvc = {
            "apiVersion": "serving.kserve.io/v1beta1", "kind": "InferenceService", "metadata": {"name": "iris"},
            "spec": {"predictor": {"minReplicas": 1, "sklearn": {"storageUri": demo_models["iris-sklearn"]}}},
        }  # fmt: skip
        created = await gateway.post(f"{API}/namespaces/{ns}/inferenceservices", json=isvc)
        assert created.status_code in (200, 201), created.text
        await serving.wait_status("iris", "Available", routed=["default"])

        canary = {"modelUri": demo_models["iris-xgboost"], "implementation": "XGBOOST_SERVER", "traffic": 30}
        answer = await gateway.post(f"{base}/canary", json=canary)
        assert answer.status_code == 200, answer.text
        assert answer.json()["status"]["warden"]["stablePredictor"]["sklearn"]["storageUri"]
        await serving.wait_status("iris", "Available", routed=["default", "canary"])

        async def both_reported() -> dict[str, Any] | None:
            obj: dict[str, Any] = (await gateway.get(base)).json()
            states = {k: v["status"] for k, v in obj["status"].get("deploymentStatus", {}).items()}
            return obj if states == {"default": "Available", "canary": "Available"} else None

        await poll(both_reported, "both predictors Available in the gateway's object")

        # The split, read from the inference events' `endpoint` (which predictor served each request).
        events = await serving.collect(INFERENCE, "test-isvc-canary")
        puids: set[str] = set()
        failures: list[str] = []

        async def call_many(count: int) -> None:
            for _ in range(count):
                response = await serving.http.post(v1, json=INSTANCES)
                if response.status_code != 200 or len(response.json()["predictions"]) != 2:
                    failures.append(f"{response.status_code} {response.text}")
                puids.add(response.headers["Seldon-Puid"])

        await asyncio.gather(*(call_many(75) for _ in range(8)))
        assert failures == []

        def requests_seen(evs: list[Any]) -> list[Any]:
            return [e for e in evs if e.get_type() == SELDON_REQUEST and e.get_extension("requestid") in puids]

        await events.wait_for(lambda evs: len(requests_seen(evs)) >= 600)
        by_endpoint = Counter(e.get_extension("endpoint") for e in requests_seen(events.events))
        assert set(by_endpoint) == {"default", "canary"}
        assert abs(by_endpoint["canary"] / 600 - 0.30) <= 0.07, by_endpoint

        # Promote while a load runs: the canary's processes take all traffic, the old ones stop after the switch.
        load_failures: list[str] = []
        stop = asyncio.Event()

        async def load() -> None:
            while not stop.is_set():
                response = await serving.http.post(v1, json=INSTANCES)
                if response.status_code != 200:
                    load_failures.append(f"{response.status_code} {response.text}")

        old_pids = await serving.replica_pids("iris", plural="inferenceservices")
        loaders = [asyncio.create_task(load()) for _ in range(4)]
        promoted = await gateway.post(f"{base}/canary/promote")
        assert promoted.status_code == 200, promoted.text
        assert "warden" not in promoted.json()["status"]

        async def only_the_new_model() -> dict[str, Any] | None:
            found = await serving.resources("iris", plural="inferenceservices")
            impls = [(p["name"], p.get("implementation"), p.get("ready_replicas")) for p in found["predictors"]]
            return found if found["status"] == "Available" and impls == [("default", "XGBOOST_SERVER", 1)] else None

        await poll(only_the_new_model, "the promoted canary serving alone")
        # Keep the load going across the shutdown of the processes the promotion replaced.
        replaced = set(old_pids) - set(await serving.replica_pids("iris", plural="inferenceservices"))
        assert replaced, (old_pids, "the promotion replaced no process")
        await wait_exited(sorted(replaced), "the replaced predictors' processes")
        stop.set()
        await asyncio.gather(*loaders)
        assert load_failures == []

        for _ in range(20):  # every answer now comes from the XGBoost model
            response = await serving.http.post(serving.data_url("iris", "/api/v1.0/predictions"), json=IRIS_REQUEST)
            assert response.status_code == 200 and served_by(response.json()) == "XGBOOST_SERVER", response.text

        async def promoted_reported() -> dict[str, Any] | None:
            obj: dict[str, Any] = (await gateway.get(base)).json()
            states = {k: v["status"] for k, v in obj["status"].get("deploymentStatus", {}).items()}
            uris = obj["status"].get("deploymentStatus", {}).get("default", {}).get("modelUris")
            done = states == {"default": "Available"} and uris == [demo_models["iris-xgboost"]]
            return obj if done and obj["status"]["state"] == "Available" else None

        await poll(promoted_reported, "the promoted predictor reported to the gateway")
