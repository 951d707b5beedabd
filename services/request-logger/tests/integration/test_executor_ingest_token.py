"""Distributed mode: with `WARDEN_LOGGER_INGEST_TOKEN` set, `POST /` takes events only from callers presenting it.

The executor side is real: a Go program sending with `github.com/cloudevents/sdk-go/v2` (what Seldon Core's executor
and KServe's agent send with) to a logger URL carrying the token as userinfo (`http://warden:<token>@host:port/`),
which Go's net/http turns into HTTP Basic. The logger runs on a real socket (uvicorn) on a real store and bus.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from pydantic import SecretStr

from warden_common.testing.executor import send_cloudevent, sender
from warden_common.testing.processes import free_port, serving

pytestmark = pytest.mark.integration

TOKEN = "ingest-secret/with:odd@chars"  # percent-encoded in the URL's userinfo, decoded by Go before Basic
REQUEST = {"data": {"names": ["a", "b"], "ndarray": [[1.0, 2.0]]}}


def extensions(rid: str) -> dict[str, str]:
    return {"requestid": rid, "modelid": "classifier", "inferenceservicename": "iris", "namespace": "seldon",
            "endpoint": "default"}  # fmt: skip


@pytest.mark.parametrize("store_kind", ["postgres"])
async def test_a_go_executor_logs_with_the_token_in_its_logger_url(start_logger: Any) -> None:
    binary = await asyncio.to_thread(sender)
    logger = await start_logger(ingest_token=SecretStr(TOKEN))
    port = free_port()
    async with serving(logger.app, port) as base:

        async def send(userinfo: str, rid: str) -> Any:
            url = f"http://{userinfo}127.0.0.1:{port}/"
            return await send_cloudevent(binary, url, "io.seldon.serving.inference.request", rid, extensions(rid),
                                         REQUEST)  # fmt: skip

        accepted = str(uuid.uuid4())
        sent = await send(f"warden:{quote(TOKEN, safe='')}@", accepted)
        assert (sent.status, sent.acknowledged) == (200, True), sent.output
        found = await logger.search(namespace="seldon", name="iris", requestId=accepted)
        assert found["total"] == 1
        assert found["requests"][0]["instance"] == [1.0, 2.0]

        refused = {"none": "", "wrong token": "warden:not-the-token@", "token as user": f"{quote(TOKEN, safe='')}:x@"}
        refused_ids = {}
        for what, userinfo in refused.items():
            refused_ids[what] = str(uuid.uuid4())
            sent = await send(userinfo, refused_ids[what])
            assert (sent.status, sent.acknowledged) == (401, False), f"{what}: {sent.output}"

        async with httpx.AsyncClient(base_url=base) as client:
            answer = await client.post("/", json=REQUEST)
            assert answer.status_code == 401
            assert (
                answer.json()["reason"] == "unauthorized" and "WARDEN_LOGGER_INGEST_TOKEN" in answer.json()["message"]
            )
            challenges = answer.headers.get_list("www-authenticate")
            assert [c.split()[0] for c in challenges] == ["Bearer", "Basic"]
            # the token as a bearer token works too; health and metrics stay open
            rid = str(uuid.uuid4())
            headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json",
                       "Ce-Specversion": "1.0", "Ce-Id": rid, "Ce-Source": "/test",
                       "Ce-Type": "io.seldon.serving.inference.request",
                       **{f"Ce-{k.capitalize()}": v for k, v in extensions(rid).items()}}  # fmt: skip
            assert (await client.post("/", json=REQUEST, headers=headers)).status_code == 200
            for path in ("/health/live", "/health/ready", "/metrics"):
                assert (await client.get(path)).status_code == 200, path

        for what, rid in refused_ids.items():
            assert (await logger.search(requestId=rid))["total"] == 0, f"{what} was logged"
