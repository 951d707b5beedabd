"""Slow explanations: an id to poll instead of a held connection, and a clear timeout error at the end."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from warden_detectors.explainers.settings import ExplainSettings

from .conftest import Harness

pytestmark = pytest.mark.integration

BASE = "/api/v1alpha1/namespaces/seldon/seldondeployments"
INCOME_ROW = [53, 4, 0, 2, 8, 4, 2, 0, 0, 0, 60, 9]


@pytest.fixture
def explain_settings() -> ExplainSettings:
    # The `slow` stand-in takes 0.5 s per model call: an anchor search needs many, so it times out.
    return ExplainSettings(answer_within_s=0.3, timeout_s=2.0)


async def test_a_slow_explanation_answers_with_an_id_then_fails_with_a_timeout(harness: Harness) -> None:
    spec = {"type": "AnchorTabular", "referenceUri": harness.references["income"]}
    assert (await harness.client.put(f"{BASE}/slow/explainer", json=spec)).status_code == 200
    started = await harness.client.post(f"{BASE}/slow/explain", json={"data": {"ndarray": [INCOME_ROW]}})
    assert started.status_code == 202, started.text
    assert started.json()["status"] == "running"
    poll = f"{BASE}/slow/{started.headers['Location']}"
    assert poll == f"{BASE}/slow/explanations/{started.json()['id']}"

    status = "running"
    for _ in range(100):
        body = (await harness.client.get(poll)).json()
        status = body["status"]
        if status != "running":
            break
        await asyncio.sleep(0.1)
    assert status == "failed"
    assert body["error"]["reason"] == "explanation_timeout" and "2.0s" in body["error"]["message"]
    # The worker stops at its next model call: no calls keep arriving long after the timeout.
    await asyncio.sleep(1.0)
    settled = len(harness.serving.calls)
    await asyncio.sleep(1.0)
    assert len(harness.serving.calls) == settled


async def test_an_explanation_lost_with_its_process_is_reported_as_interrupted(
    harness: Harness, fresh_database: str
) -> None:
    lost, recent = str(uuid.uuid4()), str(uuid.uuid4())
    conn = await asyncpg.connect(fresh_database)
    try:
        for explanation_id, age in ((lost, 3600.0), (recent, 0.0)):
            await conn.execute(
                "INSERT INTO detectors_explanations (id, namespace, kind, deployment, request_id, explainer_type,"
                " status, created_at) VALUES ($1, 'seldon', 'SeldonDeployment', 'slow', 'r-1', 'AnchorTabular',"
                " 'running', now() - make_interval(secs => $2))",
                explanation_id, age,
            )  # fmt: skip
    finally:
        await conn.close()
    body = (await harness.client.get(f"{BASE}/slow/explanations/{lost}")).json()
    assert body["status"] == "failed" and body["error"]["reason"] == "explanation_interrupted"
    listed = (await harness.client.get(f"{BASE}/slow/explanations", params={"requestId": "r-1"})).json()
    assert {e["id"]: e["status"] for e in listed["explanations"]} == {lost: "failed", recent: "running"}
