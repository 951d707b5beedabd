"""Load-test job records and usage samples on a real PostgreSQL (the gateway's migrated schema): a job whose
gateway died is failed as interrupted, a live one is not; usage buckets average each sample's predictor sum."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from warden_common.db import open_pool, prepare_schema
from warden_gateway.loadtests import repository as repo
from warden_gateway.loadtests.service import INTERRUPTED, LoadTestService
from warden_gateway.loadtests.settings import LoadTestSettings
from warden_gateway.migrations import SERVICE, migrations
from warden_gateway.usage.repository import buckets, delete_older_than, insert_samples

pytestmark = pytest.mark.integration


@pytest.fixture
async def pool(fresh_database: str) -> AsyncIterator[asyncpg.Pool]:
    await prepare_schema(fresh_database, SERVICE, migrations(), migrate=True)
    async with open_pool(fresh_database, min_size=1, max_size=2) as opened:
        yield opened


def _job(name: str) -> dict[str, object]:
    return {"namespace": "seldon", "kind": "seldondeployments", "deployment": "iris", "name": name, "connections": 1,
            "requests": 10, "duration_s": None, "payload": {"data": {"ndarray": [[1]]}},
            "path": "/seldon/seldon/iris/api/v1.0/predictions", "created_by": "alice"}  # fmt: skip


async def test_a_job_that_stopped_beating_is_failed_as_interrupted_and_a_live_one_is_not(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        for name in ("dead", "alive"):
            assert await repo.insert(conn, _job(name)) is not None
            assert await repo.mark_running(conn, ("seldon", "seldondeployments", "iris", name))
        assert await repo.insert(conn, _job("dead")) is None  # the name is taken
        await repo.heartbeat(conn, ("seldon", "seldondeployments", "iris", "dead"), {"requests": 4})
        await conn.execute(
            "UPDATE gateway.load_tests SET heartbeat_at = now() - interval '1 minute' WHERE name = 'dead'"
        )
    service = LoadTestService(pool, LoadTestSettings(stale_after_s=30))
    jobs = {row.name: row for row in await service.list(("seldon", "seldondeployments", "iris"))}
    assert (jobs["dead"].status, jobs["dead"].reason, jobs["dead"].result) == ("Failed", INTERRUPTED, {"requests": 4})
    assert (jobs["alive"].status, jobs["alive"].reason) == ("Running", None)
    assert jobs["dead"].to_api()["finishedAt"] is not None


async def test_usage_buckets_sum_predictors_per_sample_then_average_per_bucket(pool: asyncpg.Pool) -> None:
    start = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)

    def sample(predictor: str, cores: float, rss: int) -> dict[str, object]:
        return {"namespace": "seldon", "kind": "seldondeployments", "name": "iris", "predictor": predictor,
                "processes": 1, "cpuCores": cores, "memoryBytes": rss}  # fmt: skip

    async with pool.acquire() as conn:
        await insert_samples(conn, start, [sample("default", 0.5, 100), sample("canary", 0.25, 50)])
        await insert_samples(conn, start + timedelta(seconds=30), [sample("default", 1.5, 300)])
        await insert_samples(conn, start + timedelta(seconds=60), [sample("default", 1.0, 1000)])
        rows = await buckets(conn, start=start, end=start + timedelta(minutes=2), step_s=60, namespace="seldon")
        assert [(r["bucket"], r["processes"], r["cpu_cores"], r["memory_bytes"]) for r in rows] == [
            (start, 1.5, 1.125, 225.0),  # (0.75 + 1.5) / 2 cores, (150 + 300) / 2 bytes
            (start + timedelta(seconds=60), 1.0, 1.0, 1000.0),
        ]
        assert await buckets(conn, start=start, end=start + timedelta(minutes=2), step_s=60, namespace="other") == []
        await delete_older_than(conn, 1)
        assert await conn.fetchval("SELECT count(*) FROM gateway.usage_samples") == 0
