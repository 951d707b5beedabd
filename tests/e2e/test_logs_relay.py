"""A process's log followed through the gateway's public `{deployment}/resources/logs`, in both modes: standalone
(`warden up`: the gateway hands the request to the serving app in its process) and distributed (`warden serve
gateway` + `warden serve serving`: relayed over HTTP). The follower sees a line the MLServer process writes after
it started following, while the answer is still open: a relay that buffered the body would never show it."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from warden_common.testing.auth import bearer_headers

from .iris_demo import AVAILABLE_WITHIN_S, DEPLOYMENT, PREDICT, iris, wait_until
from .test_dataplane_distributed import distributed  # noqa: F401 - the fixture, used by name

pytestmark = pytest.mark.integration

BAD_SHAPE = {"data": {"ndarray": [[1.0, 2.0]]}}
"""Two features for a model of four: sklearn raises and MLServer logs the error (it logs no request that works)."""


def follow_a_new_line(base_url: str, headers: dict[str, str], model_uri: str) -> None:
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
        created = client.post(DEPLOYMENT.rsplit("/", 1)[0], json=iris(model_uri))
        assert created.status_code == 201, created.text
        wait_until("iris available", lambda: client.get(DEPLOYMENT).json().get("status", {}).get("state") ==
                   "Available", AVAILABLE_WITHIN_S)  # fmt: skip
        processes = client.get(f"{DEPLOYMENT}/resources", params={"view": "processes"}).json()
        process = processes["predictors"][0]["replicas"][0]["name"]
        logs = f"{DEPLOYMENT}/resources/logs"

        assert httpx.get(f"{base_url}{logs}").status_code == 401  # the resources' permission: a token first
        tail = client.get(logs, params={"process": process, "tailLines": 3})
        assert tail.status_code == 200 and tail.headers["content-type"].startswith("text/plain"), tail.text
        assert len(tail.text.splitlines()) == 3
        unknown = client.get(logs, params={"process": "nope"})
        assert unknown.status_code == 404 and process in unknown.json()["message"], unknown.text
        assert client.get(logs, params={"process": process, "tailLines": "lots"}).status_code == 422

        def followers() -> int:
            view = client.get(f"{DEPLOYMENT}/resources", params={"view": "processes"}).json()
            return int(view["predictors"][0]["replicas"][0]["followers"])

        params = {"process": process, "tailLines": 1, "follow": "true", "timestamps": "true"}
        with client.stream("GET", logs, params=params, timeout=httpx.Timeout(30, read=60)) as stream:
            assert stream.status_code == 200
            chunks = stream.iter_text()
            assert len(next(chunks).splitlines()) == 1  # the tail comes at once, before anything new
            wrong = client.post(PREDICT, json=BAD_SHAPE)
            assert 400 <= wrong.status_code < 500, wrong.text
            seen, deadline = "", time.monotonic() + 30
            while "features" not in seen and time.monotonic() < deadline:
                seen += next(chunks)
            assert "features" in seen, seen
            assert followers() == 1
        # The client went away: through the gateway, the serving service let go of its reader too.
        wait_until("the follower is released", lambda: followers() == 0, 30)
        assert client.get(logs, params={"process": process, "tailLines": 1}).status_code == 200


def test_follow_through_the_standalone_gateway(
    warden: str, api_headers: dict[str, str], demo_models: dict[str, str]
) -> None:
    follow_a_new_line(warden, api_headers, demo_models["iris-sklearn"])


def test_follow_through_the_distributed_relay(
    distributed: tuple[str, str],  # noqa: F811 - the fixture imported above
    demo_models: dict[str, str],
    tmp_path: Path,
) -> None:
    gateway, _serving = distributed
    follow_a_new_line(gateway, bearer_headers(gateway), demo_models["iris-sklearn"])
