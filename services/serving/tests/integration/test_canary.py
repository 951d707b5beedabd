"""The seed's canary demo (§5.1.1): iris scikit-learn default, XGBoost iris canary at 10%, then promotion under load."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest

from .harness import Serving, predictor, seldon_deployment, wait_exited

pytestmark = pytest.mark.integration

IRIS_REQUEST = {
    "data": {
        "names": ["Sepal length", "Sepal width", "Petal length", "Petal Width"],
        "ndarray": [[6.8, 2.8, 4.8, 1.4], [6.1, 3.4, 4.5, 1.6]],
    }
}


def served_by(body: dict[str, Any]) -> str:
    server: str = next(iter(body["meta"]["requestPath"].values()))
    return server


async def _predict_many(serving: Serving, name: str, count: int, concurrency: int) -> tuple[Counter[str], list[str]]:
    served: Counter[str] = Counter()
    failures: list[str] = []
    queue = iter(range(count))

    async def worker() -> None:
        for _ in queue:
            response = await serving.http.post(serving.data_url(name, "/api/v1.0/predictions"), json=IRIS_REQUEST)
            if response.status_code != 200:
                failures.append(f"{response.status_code} {response.text}")
                continue
            served[served_by(response.json())] += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return served, failures


async def test_canary_gets_its_share_and_promotion_drops_nothing(serving: Serving, demo_models: dict[str, str]) -> None:
    default = predictor("default", "SKLEARN_SERVER", demo_models["iris-sklearn"], traffic=90)
    canary = predictor("canary", "XGBOOST_SERVER", demo_models["iris-xgboost"], traffic=10)
    await serving.publish_spec("sc-iris", seldon_deployment(serving.namespace, "sc-iris", [default]))
    await serving.wait_status("sc-iris", "Available", routed=["default"])

    first = await serving.http.post(serving.data_url("sc-iris", "/api/v1.0/predictions"), json=IRIS_REQUEST)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["data"]["names"] == ["t:0", "t:1", "t:2"]
    assert len(body["data"]["ndarray"]) == 2 and abs(sum(body["data"]["ndarray"][0]) - 1.0) < 1e-6
    assert body["meta"]["puid"] == first.headers["Seldon-Puid"]

    spec = seldon_deployment(serving.namespace, "sc-iris", [default, canary])
    await serving.publish_spec("sc-iris", spec, created=False)
    await serving.wait_status("sc-iris", "Available", routed=["default", "canary"])
    components = await serving.components("sc-iris")  # the public `{base}/resources` shape
    assert [c["component"] for c in components] == ["default", "canary"]
    [deployment] = components[1]["deployments"]["items"]
    assert deployment["name"] == "sc-iris-canary" and deployment["namespace"] == serving.namespace
    assert deployment["status"] == {"name": "sc-iris-canary", "replicas": 1, "availableReplicas": 1,
                                    "status": "Available"}  # fmt: skip
    [pod] = components[1]["pods"]["items"]
    processes = {p["name"]: p for p in (await serving.resources("sc-iris"))["predictors"]}
    port = processes["canary"]["replicas"][0]["port"]
    assert pod["status"]["phase"] == "Running" and pod["status"]["containerStatuses"][0]["ready"] is True
    assert pod["spec"]["containers"][0]["ports"][0]["containerPort"] == port
    assert components[1]["services"]["items"][0]["status"]["httpEndpoint"] == f"127.0.0.1:{port}"

    served, failures = await _predict_many(serving, "sc-iris", 3000, concurrency=8)
    assert failures == []
    share = served["XGBOOST_SERVER"] / 3000
    assert abs(share - 0.10) <= 0.03, served

    # Promote while a load runs: the old processes keep serving until the new route is in place.
    load_failures: list[str] = []
    stop = asyncio.Event()

    async def load() -> None:
        while not stop.is_set():
            response = await serving.http.post(serving.data_url("sc-iris", "/api/v1.0/predictions"), json=IRIS_REQUEST)
            if response.status_code != 200:
                load_failures.append(f"{response.status_code} {response.text}")

    old_pids = await serving.replica_pids("sc-iris")
    loaders = [asyncio.create_task(load()) for _ in range(4)]
    promoted = predictor("canary", "XGBOOST_SERVER", demo_models["iris-xgboost"], traffic=100)
    await serving.publish_spec("sc-iris", seldon_deployment(serving.namespace, "sc-iris", [promoted]), created=False)
    await serving.wait_status("sc-iris", "Available", routed=["canary"])
    # Keep the load going across the switch and the shutdown of the processes it replaced.
    replaced = set(old_pids) - set(await serving.replica_pids("sc-iris"))
    assert replaced, (old_pids, "the promotion replaced no process")
    await wait_exited(sorted(replaced), "the replaced default predictor's processes")
    stop.set()
    await asyncio.gather(*loaders)
    assert load_failures == []

    after, failures = await _predict_many(serving, "sc-iris", 200, concurrency=4)
    assert failures == []
    assert after == Counter({"XGBOOST_SERVER": 200})
    resources = await serving.resources("sc-iris")
    assert [p["name"] for p in resources["predictors"]] == ["canary"]
