"""Load tests and usage end to end, on one `warden up` (auth on) serving the iris demo model as default + canary:

- a load test of a request count runs against the real data plane; its figures are plausible (every request
  counted, p99 >= p50 > 0, split between default and canary), and the requests it sent are logged marked with
  the job's name (`loadTest`);
- the official seldon-deploy-sdk 1.6 creates (it sends `{}`: the newest logged request is replayed), lists and
  deletes load tests unchanged;
- usage shows the deployment's MLServer process with a non-zero resident memory;
- after a restart the finished job is still listed, and the one that was running is reported failed
  (interrupted), not lost.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from warden_common.testing.auth import SDK_SIGN_IN, bearer_headers
from warden_common.testing.processes import running_warden_up

from .conftest import READY_WITHIN_S
from .iris_demo import API, AVAILABLE_WITHIN_S, DEPLOYMENT, iris, wait_until

pytestmark = pytest.mark.integration

JOBS = f"{DEPLOYMENT}/loadtestjobs"
PAYLOAD = {"data": {"names": ["Sepal length", "Sepal width", "Petal length", "Petal Width"],
                    "ndarray": [[6.8, 2.8, 4.8, 1.4], [6.1, 3.4, 4.5, 1.6]]}}  # fmt: skip
REQUESTS = 300
USAGE_ENV = {"WARDEN_GATEWAY_USAGE__INTERVAL_S": "1"}

SDK_SCRIPT = SDK_SIGN_IN + textwrap.dedent(
    """
    import json, sys
    from seldon_deploy_sdk import LoadtestJobsApi
    from seldon_deploy_sdk.rest import ApiException

    base, user, password, step, load_file = sys.argv[1:6]
    api = LoadtestJobsApi(signed_in_client(base, user, password))
    try:
        if step == "create":
            out = api.create_loadtest_seldon_deployment("iris", "seldon", load_file, connections_number="1",
                                                        duration="30").to_dict()
        elif step == "list":
            out = api.list_loadtest_seldon_deployment("iris", "seldon").to_dict()
        else:
            out = api.delete_loadtest_seldon_deployment(step.removeprefix("delete:"), "iris", "seldon").to_dict()
    except ApiException as exc:
        out = {"error": exc.status, "body": exc.body.decode() if isinstance(exc.body, bytes) else exc.body}
    print(json.dumps(out, default=str))
    """
)


def _iris_with_canary(model_uri: str) -> dict[str, Any]:
    spec: dict[str, Any] = iris(model_uri)
    default = spec["spec"]["predictors"][0]
    default["traffic"] = 70
    spec["spec"]["predictors"].append({**default, "name": "canary", "traffic": 30})
    return spec


def _jobs(client: httpx.Client) -> dict[str, dict[str, Any]]:
    listed = client.get(JOBS)
    assert listed.status_code == 200, listed.text
    return {str(job["jobName"]): dict(job) for job in listed.json()["jobs"]}


def _sdk(sdk_python: Path, base: str, credentials: tuple[str, str], step: str, load_file: Path) -> Any:
    done = subprocess.run(
        [str(sdk_python), "-c", SDK_SCRIPT, base, *credentials, step, str(load_file)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _load_test_default_and_canary(client: httpx.Client) -> str:
    bad = client.post(JOBS, json={"connectionsNumber": 0, "payload": PAYLOAD})
    assert bad.status_code == 400 and bad.json()["details"] == {"field": "connectionsNumber"}, bad.text

    started = client.post(JOBS, json={"connectionsNumber": 4, "requestsNumber": REQUESTS, "payload": PAYLOAD})
    assert started.status_code == 201, started.text
    job = str(started.json()["jobName"])
    assert started.json()["job"]["status"] in ("Pending", "Running")
    wait_until(f"{job} done", lambda: _jobs(client)[job]["status"] in ("Succeeded", "Failed"), 120)
    finished = _jobs(client)[job]
    assert finished["status"] == "Succeeded", finished
    result = finished["result"]
    assert result["requests"] == result["succeeded"] == REQUESTS, result
    assert result["statusCodes"] == {"200": REQUESTS} and result["errors"] == {}
    latency = result["latencyMs"]
    assert latency["max"] >= latency["p99"] >= latency["p90"] >= latency["p50"] > 0, latency
    assert result["throughput"] > 0
    endpoints = result["endpoints"]
    assert set(endpoints) == {"default", "canary"}, endpoints
    assert sum(e["requests"] for e in endpoints.values()) == REQUESTS
    assert endpoints["default"]["requests"] > endpoints["canary"]["requests"] > 0  # 70 / 30

    logged = client.get(f"{DEPLOYMENT}/requests", params={"pageSize": 5})
    assert logged.status_code == 200, logged.text
    assert {hit.get("loadTest") for hit in logged.json()["requests"]} == {job}
    return job


def _sdk_create_list_delete(client: httpx.Client, sdk: Any, job: str) -> str:
    by_sdk = sdk("create")
    assert by_sdk["code"] == 201, by_sdk
    sdk_job = str(by_sdk["message"].split()[3])  # "load test job <name> created"
    wait_until(f"{sdk_job} running", lambda: _jobs(client)[sdk_job]["status"] == "Running", 30)
    # The SDK declares a form but sends `{}` (its JSON content type drops form fields): the defaults apply, and
    # the payload is the newest logged request's.
    assert (_jobs(client)[sdk_job]["duration"], _jobs(client)[sdk_job]["connectionsNumber"]) == (10.0, 1)
    assert isinstance(_jobs(client)[sdk_job]["payload"]["data"]["ndarray"], list)
    listed = sdk("list")
    assert listed["code"] == 200 and f"{job} (Succeeded)" in listed["message"], listed
    assert f"{sdk_job} (Running)" in listed["message"]

    another = client.post(JOBS, json={"duration": "5m", "payload": PAYLOAD})
    assert another.status_code == 201, another.text
    name = another.json()["jobName"]
    assert sdk(f"delete:{name}") == {"code": 200, "message": f"load test job {name} deleted"}
    assert name not in _jobs(client)
    assert sdk("delete:no-such-job")["error"] == 404
    return sdk_job


def _usage_of_iris(client: httpx.Client) -> None:
    def points() -> list[dict[str, Any]]:
        start = (datetime.now(UTC) - timedelta(minutes=10)).isoformat()
        answer = client.get(f"{DEPLOYMENT}/usage", params={"start": start, "step": "5s"})
        assert answer.status_code == 200, answer.text
        series = answer.json()["series"]
        return list(series[0]["points"]) if series else []

    wait_until("usage sampled", lambda: len(points()) > 0, 30)
    point = points()[-1]
    assert point["memoryBytes"] > 10_000_000 and point["processes"] >= 1, point  # MLServer is no small process
    everything = client.get(f"{API}/usage", params={"step": "1m"})
    assert everything.status_code == 200 and everything.json()["summary"]["averageMemoryBytes"] > 0
    assert client.get(f"{API}/usage", params={"step": "0"}).json()["details"] == {"param": "step"}


def test_load_tests_sdk_usage_and_restart(
    demo_models: dict[str, str], warden_home: Path, sdk_python: Path, admin_credentials: tuple[str, str],
    tmp_path: Path,
) -> None:  # fmt: skip
    load_file = tmp_path / "request.json"
    load_file.write_text(json.dumps(PAYLOAD))
    with (
        running_warden_up(warden_home, ready_within_s=READY_WITHIN_S, env=USAGE_ENV) as base,
        httpx.Client(base_url=base, timeout=60, headers=bearer_headers(base)) as client,
    ):
        created = client.post(f"{API}/namespaces/seldon/seldondeployments",
                              json=_iris_with_canary(demo_models["iris-sklearn"]))  # fmt: skip
        assert created.status_code == 201, created.text
        wait_until("iris Available", lambda: client.get(DEPLOYMENT).json()["status"].get("state") == "Available",
                   AVAILABLE_WITHIN_S)  # fmt: skip
        job = _load_test_default_and_canary(client)
        sdk_job = _sdk_create_list_delete(
            client, lambda step: _sdk(sdk_python, base, admin_credentials, step, load_file), job
        )
        _usage_of_iris(client)
        running = client.post(JOBS, json={"duration": "5m", "connectionsNumber": 2, "payload": PAYLOAD})
        assert running.status_code == 201, running.text
        long_job = running.json()["jobName"]
        wait_until(f"{long_job} running", lambda: _jobs(client)[long_job]["status"] == "Running", 30)
    # leaving the block stopped warden (Ctrl-C) while the 5 min job ran

    with (
        running_warden_up(warden_home, ready_within_s=READY_WITHIN_S, env=USAGE_ENV) as base,
        httpx.Client(base_url=base, timeout=60, headers=bearer_headers(base)) as client,
    ):
        after = _jobs(client)
        assert after[job]["status"] == "Succeeded" and after[job]["result"]["requests"] == REQUESTS
        wait_until(f"{sdk_job} over", lambda: _jobs(client)[sdk_job]["status"] != "Running", 15)
        assert _jobs(client)[sdk_job]["status"] in ("Succeeded", "Failed")
        assert after[long_job]["status"] == "Failed", after[long_job]
        assert "interrupted" in after[long_job]["reason"]
        assert after[long_job]["result"]["requests"] > 0  # the progress it made is kept
