"""The namespaces' sync status lives in gitops-sync's PostgreSQL: another instance (a restart, a second reader) on
the same database shows what the first recorded; the list of applied files keeps the newest 20."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from warden_common.bus.factory import create_bus
from warden_common.db import open_pool, prepare_schema
from warden_common.platform import Platform
from warden_common.settings import BusSettings
from warden_common.testing.waiting import eventually
from warden_gitops_sync.main import create_app as create_gitops
from warden_gitops_sync.migrations import SERVICE, migrations
from warden_gitops_sync.settings import GitopsSyncSettings
from warden_gitops_sync.status import RECENT, PostgresStatusStore

from .conftest import API, FAST_RETRY, POLL_S, Warden, seldon_deployment
from .test_sync import push_edit

pytestmark = pytest.mark.integration


async def status_from_another_instance(dsn: str, state_dir: Path, namespace: str) -> dict[str, Any]:
    """gitops-sync started again on the same database and state directory (distributed: its schema migrated)."""
    bus = create_bus(BusSettings(kind="postgres", postgres_dsn=SecretStr(dsn), partitions=2, retry=FAST_RETRY))
    await bus.start()
    try:
        platform = Platform(mode="distributed", bus=bus, database_dsn=dsn)
        app = create_gitops(GitopsSyncSettings(state_dir=state_dir, poll_interval_s=0), platform)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://gitops.test") as client:
                ready = await client.get("/health/ready")
                assert ready.status_code == 200, ready.text
                answer = await client.get(f"/api/v1alpha1/namespaces/{namespace}/gitops-status")
                assert answer.status_code == 200, answer.text
                status: dict[str, Any] = answer.json()
                return status
    finally:
        await bus.close()


async def test_the_sync_status_is_seen_by_another_instance_on_the_same_database(
    warden: Warden, tmp_path: Path, fresh_database: str
) -> None:
    await warden.namespace("team", gitops=True)
    created = await warden.client.post(
        f"{API}/namespaces/team/seldondeployments", json=seldon_deployment("team", "iris")
    )
    assert created.status_code == 201, created.text
    clone = warden.clone(tmp_path / "bob")
    commit = push_edit(clone, "team/iris.yaml", seldon_deployment("team", "iris", "gs://models/iris-v3"), "use v3")

    async def synced() -> dict[str, Any] | None:
        status: dict[str, Any] = (await warden.client.get(f"{API}/namespaces/team/gitops-status")).json()
        return status if status["lastSyncedCommit"] == commit else None

    await eventually(synced, "the pushed commit synced", within_s=20 * POLL_S)
    first = await synced()
    assert first is not None and first["recentlyApplied"][-1]["commit"] == commit

    other = await status_from_another_instance(fresh_database, warden.state_dir, "team")
    assert other == first  # what the first recorded, not an empty status


async def test_the_status_store_keeps_the_newest_applied_files_and_clears_an_error_on_sync(
    fresh_database: str,
) -> None:
    await prepare_schema(fresh_database, SERVICE, migrations(), migrate=True)
    async with open_pool(fresh_database) as pool:
        store = PostgresStatusStore(pool)
        assert (await store.get("team")).last_synced_commit is None
        for n in range(RECENT + 5):
            await store.applied("team", {"file": "team/iris.yaml", "commit": f"c{n}", "time": "t"})
        await store.failed("team", "the remote is down")
        status = await store.get("team")
        assert [entry["commit"] for entry in status.applied] == [f"c{n}" for n in range(5, RECENT + 5)]
        assert status.last_error == "the remote is down" and status.last_error_time is not None
        await store.synced("team", "abc123")
        status = await store.get("team")
        assert (status.last_synced_commit, status.last_error, status.last_error_time) == ("abc123", None, None)
        assert status.last_sync_time is not None and len(status.applied) == RECENT
        assert (await store.get("other")).applied == []
