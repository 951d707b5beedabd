"""`{deployment}/resources/logs` against a real serving service and a real MLServer process: tail, since,
timestamps, byte limits (whole answers and streams), a follower that sees what the process writes after it started,
bad parameters, unknown processes, a client that goes away, and the stream ending with the process."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import pytest

from warden_common.testing.waiting import eventually
from warden_serving.runtime.logbuffer import ProcessLog

from .harness import Serving, predictor, seldon_deployment

pytestmark = pytest.mark.integration

BAD_SHAPE = {"data": {"ndarray": [[1.0, 2.0]]}}
"""Two features for a model of four: sklearn raises, and MLServer logs the error (it logs no request that works)."""
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z ")


def texts_after(log: ProcessLog, seq: int) -> list[str]:
    return [line.text for line in log.tail() if line.seq > seq]


async def test_logs_of_a_process(serving: Serving, demo_models: dict[str, str]) -> None:
    name = "chatty"
    await serving.publish_spec(name, seldon_deployment(serving.namespace, name, [
        predictor("default", "SKLEARN_SERVER", demo_models["iris-sklearn"]),
    ]))  # fmt: skip
    await serving.wait_status(name, "Available")
    process = (await serving.resources(name))["predictors"][0]["replicas"][0]["name"]
    url = f"/api/v1alpha1/namespaces/{serving.namespace}/seldondeployments/{name}/resources/logs"
    log = serving.app.state.runtime.process_logs(serving.namespace, name)[process]

    whole = await serving.http.get(url, params={"process": process})
    assert whole.status_code == 200, whole.text
    assert whole.headers["content-type"].startswith("text/plain")
    lines = whole.text.splitlines()
    assert len(lines) >= 3, whole.text  # MLServer's start-up output
    assert (await serving.http.get(url)).text == whole.text  # the only process need not be named

    tail = await serving.http.get(url, params={"process": process, "tailLines": 2, "timestamps": "true"})
    assert [RFC3339.sub("", line) for line in tail.text.splitlines()] == lines[-2:]
    assert all(RFC3339.match(line) for line in tail.text.splitlines()), tail.text

    # limitBytes: the first N bytes of the same answer; a follower's stream ends by itself once N went out.
    first = await serving.http.get(url, params={"limitBytes": 10})
    assert first.content == whole.content[:10]
    async with serving.http.stream("GET", url, params={"follow": "true", "limitBytes": 7}) as s:
        async with asyncio.timeout(20):
            assert b"".join([chunk async for chunk in s.aiter_bytes()]) == whole.content[:7]
    await eventually(lambda: log.followers == 0, "the limited follower is released", within_s=10)

    # A follower gets the tail at once, then what the process writes later: here the error of a bad prediction.
    async with serving.http.stream("GET", url, params={"process": process, "tailLines": 1, "follow": "true"}) as s:
        assert s.status_code == 200
        chunks = s.aiter_text()
        assert (await anext(chunks)).splitlines() == lines[-1:]
        await eventually(lambda: log.followers == 1, "the follower is registered", within_s=10)
        predicted = await serving.http.post(serving.data_url(name, "/api/v1.0/predictions"), json=BAD_SHAPE)
        assert predicted.status_code >= 400, predicted.text
        seen = ""
        try:
            async with asyncio.timeout(20):
                while "features" not in seen:
                    seen += await anext(chunks)
        except TimeoutError:
            raise AssertionError(f"the follower got {seen!r}; the process wrote {list(log)}") from None
    # The client went away: the follower the server held for it is gone with it.
    await eventually(lambda: log.followers == 0, "the follower left when its client did", within_s=10)

    # Only what was written in the last second: the error just logged, none of the start-up.
    await asyncio.sleep(1.5)
    mark = log.last_seq
    await serving.http.post(serving.data_url(name, "/api/v1.0/predictions"), json=BAD_SHAPE)
    await eventually(lambda: any("features" in t for t in texts_after(log, mark)), "the error is logged")
    recent = (await serving.http.get(url, params={"process": process, "sinceSeconds": 1})).text
    assert "features" in recent, recent
    assert not set(recent.splitlines()) & set(lines[:3]), recent
    a_second_ago = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    assert (await serving.http.get(url, params={"sinceTime": a_second_ago})).text == recent
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert (await serving.http.get(url, params={"sinceTime": tomorrow})).text == ""

    # Bad parameters: a 422 saying which one and why; an unknown process: a 404 naming the ones that exist.
    bad_queries: list[tuple[dict[str, str], str]] = [
        ({"tailLines": "0"}, "tailLines"), ({"tailLines": "10001"}, "tailLines"),
        ({"sinceSeconds": "-5"}, "sinceSeconds"), ({"follow": "maybe"}, "follow"),
        ({"sinceTime": "yesterday"}, "sinceTime"), ({"limitBytes": "0"}, "limitBytes"),
        ({"sinceTime": "2026-12-06T00:00:00Z", "sinceSeconds": "5"}, "sinceTime"),
    ]  # fmt: skip
    for params, where in bad_queries:
        bad = await serving.http.get(url, params={"process": process, **params})
        assert bad.status_code == 422, bad.text
        assert where in bad.text, bad.text
    unknown = await serving.http.get(url, params={"process": "../../etc/passwd"})
    assert unknown.status_code == 404
    assert process in unknown.json()["message"], unknown.text
    missing = await serving.http.get(url.replace(f"/{name}/", "/nobody/"))
    assert missing.status_code == 404

    # The stream ends when the process does: deleting the deployment stops it.
    async with serving.http.stream("GET", url, params={"process": process, "follow": "true"}) as s:
        await eventually(lambda: log.followers == 1, "the follower is registered", within_s=10)
        await serving.delete(name)
        async with asyncio.timeout(60):
            body = "".join([chunk async for chunk in s.aiter_text()])
    assert body  # it ended by itself, after the whole tail
    assert log.followers == 0


async def test_following_an_unknown_deployment_is_a_404(serving: Serving) -> None:
    url = f"/api/v1alpha1/namespaces/{serving.namespace}/inferenceservices/ghost/resources/logs"
    response = await serving.http.get(url, params={"follow": "true"})
    assert response.status_code == 404
    assert "ghost" in response.json()["message"]
