"""The load-test API on a gateway with a real PostgreSQL and a data plane on a real socket (a stub model that
records what reached it): the SDK's multipart form, a job that runs to the end, 404 / 409 / 400 answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import SecretStr

from warden_common.bus.factory import create_bus
from warden_common.platform import Platform
from warden_common.settings import BusSettings
from warden_common.testing.auth import AUTH_OFF
from warden_common.testing.processes import serving
from warden_common.testing.waiting import eventually
from warden_gateway.loadtests.settings import LoadTestSettings
from warden_gateway.main import create_app
from warden_gateway.settings import GatewaySettings

from .conftest import API, load

pytestmark = pytest.mark.integration

ISVC = f"{API}/namespaces/seldon/inferenceservices/iris-kserve"
JOBS = f"{ISVC}/loadtestjobs"


@pytest.fixture
async def api(fresh_database: str) -> AsyncIterator[tuple[httpx.AsyncClient, list[dict[str, Any]]]]:
    """A client of the gateway, and what reached the data plane (path and headers of each call)."""
    reached: list[dict[str, Any]] = []
    model = FastAPI()

    @model.post("/seldon/{namespace}/{name}/{rest:path}")
    async def predict(request: Request) -> JSONResponse:
        reached.append({"path": request.url.path, "headers": dict(request.headers), "body": await request.json()})
        return JSONResponse({"predictions": [1]})

    bus = create_bus(BusSettings(kind="postgres", postgres_dsn=SecretStr(fresh_database)))
    await bus.start()
    try:
        async with serving(model) as model_url:
            settings = GatewaySettings(auth=AUTH_OFF, load_tests=LoadTestSettings(target_url=model_url))
            platform = Platform(mode="standalone", bus=bus, database_dsn=fresh_database, local_apps={"serving": model})
            app = create_app(settings, platform)
            async with (
                app.router.lifespan_context(app),
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://warden.test") as client,
            ):
                created = await client.post(f"{API}/namespaces/seldon/inferenceservices", json=load("iris-isvc.yaml"))
                assert created.status_code == 201, created.text
                yield client, reached
    finally:
        await bus.close()


async def _job(client: httpx.AsyncClient, name: str) -> dict[str, Any]:
    jobs = {job["jobName"]: job for job in (await client.get(JOBS)).json()["jobs"]}
    return dict(jobs[name])


async def test_the_sdk_form_runs_a_job_to_the_end(api: tuple[httpx.AsyncClient, list[dict[str, Any]]]) -> None:
    client, reached = api
    form = {"connectionsNumber": "3", "requestsNumber": "25", "jobName": "lt-form"}
    files = {"loadFile": ("request.json", b'{"instances": [[5.1, 3.5, 1.4, 0.2]]}', "application/json")}
    started = await client.post(JOBS, data=form, files=files)
    assert started.status_code == 201, started.text
    assert started.json()["job"]["path"] == "/seldon/seldon/iris-kserve/v1/models/iris-kserve:predict"

    async def finished() -> dict[str, Any] | None:
        job = await _job(client, "lt-form")
        return job if job["status"] not in ("Pending", "Running") else None

    job = await eventually(finished, "lt-form finished")
    assert job["status"] == "Succeeded" and job["reason"] is None, job
    assert (job["result"]["requests"], job["result"]["statusCodes"]) == (25, {"200": 25})
    assert set(job["result"]["endpoints"]) == {"unknown"}  # this data plane does not say which predictor answered
    assert len(reached) == 25
    assert {call["headers"]["x-warden-loadtest"] for call in reached} == {"lt-form"}
    assert reached[0]["body"] == {"instances": [[5.1, 3.5, 1.4, 0.2]]}

    again = await client.post(JOBS, json={"jobName": "lt-form", "payload": {"instances": [[1, 2, 3, 4]]}})
    assert again.status_code == 409 and again.json()["details"] == {"field": "jobName"}
    deleted = await client.delete(f"{JOBS}/lt-form")
    assert deleted.json() == {"code": 200, "message": "load test job lt-form deleted"}
    assert (await client.delete(f"{JOBS}/lt-form")).status_code == 404


async def test_bad_requests_name_what_is_wrong(api: tuple[httpx.AsyncClient, list[dict[str, Any]]]) -> None:
    client, reached = api
    no_payload = await client.post(JOBS, json={"requestsNumber": 5})  # nothing logged to replay either
    assert no_payload.status_code == 400 and no_payload.json()["details"] == {"field": "loadFile"}, no_payload.text
    not_object = await client.post(JOBS, content=b"[1]", headers={"content-type": "application/json"})
    assert not_object.status_code == 400
    text = await client.post(JOBS, content=b"x", headers={"content-type": "text/plain"})
    assert text.status_code == 415
    missing = await client.post(f"{API}/namespaces/seldon/inferenceservices/nope/loadtestjobs", json={})
    assert missing.status_code == 404
    assert (await client.get(f"{API}/namespaces/seldon/seldondeployments/nope/loadtestjobs")).status_code == 404
    assert reached == []
