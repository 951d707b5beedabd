"""The runner and the batch workers on a real PostgreSQL (fresh database) and the standalone bus on it, against a
stand-in data plane served in-process (the real one is the e2e tests'): cancel of a pending and of a running job,
FAILURE lines with the real error in input order, stop-on-failure, a retried transient error, a worker error that
fails the job with it, and two batch processes sharing one job's work items (on both buses: PostgreSQL and the
real Kafka)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import SecretStr

from warden_batch.migrations import SERVICE, migrations
from warden_batch.repository import BatchJobRepository
from warden_batch.runner import JobRunner
from warden_batch.service import BatchService, DeploymentRef
from warden_batch.settings import BatchSettings
from warden_batch.wire import BatchJobDefinition
from warden_batch.worker import GROUP, ChunkWorker
from warden_common import topics
from warden_common.bus.factory import create_bus
from warden_common.bus.port import Bus
from warden_common.codec import Event
from warden_common.db import open_pool, prepare_schema
from warden_common.events import decode_data_as
from warden_common.events.batch import BatchWorkItem
from warden_common.settings import BusSettings, RetryPolicy
from warden_common.testing.waiting import eventually
from warden_common.upstreams import Upstreams

pytestmark = pytest.mark.integration

IRIS = DeploymentRef("seldon", "SeldonDeployment", "iris")
OWNER = "test-runner"


def stand_in(delay_s: float = 0.0, flaky: set[float] | None = None) -> FastAPI:
    """Answers each row with its first value doubled; a row whose first value is negative is a 400; a value in
    `flaky` fails with a 503 the first time it is seen."""
    app = FastAPI()
    seen: set[float] = set()

    @app.post("/seldon/{namespace}/{name}/api/v1.0/predictions")
    async def predict(request: Request) -> JSONResponse:
        rows = (await request.json())["data"]["ndarray"]
        await asyncio.sleep(delay_s)
        if any(row[0] < 0 for row in rows):
            return JSONResponse({"code": 400, "message": f"negative value in {rows}"}, status_code=400)
        for row in rows:
            if flaky and row[0] in flaky and row[0] not in seen:
                seen.add(row[0])
                return JSONResponse({"code": 503, "message": "MLServer is restarting"}, status_code=503)
        return JSONResponse({"data": {"names": ["y"], "ndarray": [[row[0] * 2] for row in rows]}})

    return app


@pytest.fixture
async def repository(fresh_database: str) -> AsyncIterator[BatchJobRepository]:
    await prepare_schema(fresh_database, SERVICE, migrations(), migrate=True)
    async with open_pool(fresh_database) as pool:
        yield BatchJobRepository(pool)


async def _started(settings: BusSettings) -> AsyncIterator[Bus]:
    bus = create_bus(settings)
    await bus.start()
    try:
        yield bus
    finally:
        await bus.close()


RETRY = RetryPolicy(max_attempts=2, initial_backoff_s=0.05, max_backoff_s=0.2)


def _postgres_bus(dsn: str) -> BusSettings:
    """The standalone bus (PostgreSQL)."""
    return BusSettings(kind="postgres", postgres_dsn=SecretStr(dsn), retry=RETRY, partitions=BUS_PARTITIONS)


def _kafka_bus(bootstrap: str, namespace: str) -> BusSettings:
    """The distributed bus: the real Kafka, topics and groups namespaced for this test."""
    return BusSettings(kind="kafka", kafka_bootstrap=bootstrap, kafka_namespace=namespace, retry=RETRY,
                       partitions=BUS_PARTITIONS)  # fmt: skip


@pytest.fixture
async def bus(fresh_database: str) -> AsyncIterator[Bus]:
    async for started in _started(_postgres_bus(fresh_database)):
        yield started


@pytest.fixture
async def kafka_bus(kafka_bootstrap: str, unique_name: str) -> AsyncIterator[Bus]:
    async for started in _started(_kafka_bus(kafka_bootstrap, unique_name)):
        yield started


@pytest.fixture(params=["postgres", "kafka"], ids=["postgres-bus", "kafka-bus"])
async def either_bus(request: pytest.FixtureRequest, fresh_database: str, unique_name: str) -> AsyncIterator[Bus]:
    """Each bus in turn, for the tests whose claim must hold on both."""
    if request.param == "kafka":
        settings = _kafka_bus(request.getfixturevalue("kafka_bootstrap"), unique_name)
    else:
        settings = _postgres_bus(fresh_database)
    async for started in _started(settings):
        yield started


def _partitions_held(subscription: Any) -> int:
    """How many of the work topic's partitions this group member holds now (each bus keeps it its own way)."""
    consumer = getattr(subscription, "_consumer", None)  # Kafka: the member's consumer and its assignment
    if consumer is not None:
        return len(consumer.assignment())
    return len(getattr(subscription, "_workers", ()))  # the standalone bus: one partition worker per partition


SETTINGS = BatchSettings(lease_s=0.3, chunk_lines=20)
BUS_PARTITIONS = 4


async def _run(repository: BatchJobRepository, bus: Bus, app: FastAPI, tmp_path: Path, body: dict[str, Any],
               cancel_after_lines: int | None = None, workers: int = 1) -> tuple[Any, list[ChunkWorker]]:  # fmt: skip
    """Run the job with `workers` batch workers subscribed (as many batch processes)."""
    service = BatchService(repository)
    row = await service.create(IRIS, BatchJobDefinition.model_validate(body))
    claimed = await repository.claim(OWNER, SETTINGS.lease_s)
    assert claimed is not None and claimed.uid == row.uid
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://serving") as client:
        chunk_workers = [ChunkWorker(repository, Upstreams({"serving": client}), SETTINGS) for _ in range(workers)]
        subscriptions = [await worker.subscribe(bus) for worker in chunk_workers]
        if workers > 1:  # members split the partitions after a join: a tick or two (PostgreSQL), a rebalance (Kafka)

            def balanced() -> bool:
                return all(_partitions_held(s) == BUS_PARTITIONS // workers for s in subscriptions)

            await eventually(balanced, "the batch workers sharing the work topic's partitions", within_s=60)
        runner = JobRunner(repository, bus, SETTINGS, tmp_path / "work", OWNER)
        task = asyncio.create_task(runner.run(claimed))
        if cancel_after_lines is not None:

            async def started() -> bool:
                current = await repository.by_uid(row.uid)
                return current is not None and current.done_lines >= cancel_after_lines

            await eventually(started, f"{cancel_after_lines} lines done", within_s=30)
            await service.cancel(IRIS, row.name)
        await asyncio.wait_for(task, 60)
        for subscription in subscriptions:
            await subscription.stop()
    return await service.get(IRIS, row.name), chunk_workers


def _input(tmp_path: Path, values: list[float]) -> str:
    path = tmp_path / "in.txt"
    path.write_text("".join(json.dumps([v, 1.0]) + "\n" for v in values))
    return str(path)


async def test_failed_lines_carry_the_real_error_in_input_order_and_transient_errors_are_retried(
    repository: BatchJobRepository, bus: Bus, tmp_path: Path
) -> None:
    values = [float(i) for i in range(50)]
    values[7] = -1.0
    body = {"inputData": _input(tmp_path, values), "outputData": str(tmp_path / "out.txt"), "batchSize": 4,
            "batchWorkers": "3", "batchRetries": "2"}  # fmt: skip
    job, _ = await _run(repository, bus, stand_in(flaky={13.0}), tmp_path, body)
    assert job.description.workflow_status == "Succeeded" and job.description.message == "1 of 50 lines failed"
    out = [json.loads(line) for line in (tmp_path / "out.txt").read_text().splitlines()]
    assert [o["meta"]["tags"]["batch_index"] for o in out] == list(range(50))
    assert out[7]["status"]["info"] == "FAILURE"
    assert "the data plane answered 400: negative value in [[-1.0, 1.0]]" in out[7]["status"]["reason"]
    assert [o["data"]["ndarray"] for i, o in enumerate(out) if i != 7] == [[[v * 2]] for i, v in enumerate(values)
                                                                           if i != 7]  # fmt: skip


async def test_stop_on_failure_fails_the_job_naming_the_line(
    repository: BatchJobRepository, bus: Bus, tmp_path: Path
) -> None:
    values = [float(i) for i in range(30)]
    values[21] = -5.0
    body = {"inputData": _input(tmp_path, values), "outputData": str(tmp_path / "out.txt"), "stopOnFailure": True}
    job, _ = await _run(repository, bus, stand_in(), tmp_path, body)
    assert job.description.workflow_status == "Failed"
    assert job.description.message.startswith("stopped at line 21 (stopOnFailure): the data plane answered 400")
    assert not (tmp_path / "out.txt").exists()


async def test_cancel_stops_a_running_job_and_fails_a_pending_one(
    repository: BatchJobRepository, bus: Bus, tmp_path: Path
) -> None:
    body = {"inputData": _input(tmp_path, [float(i) for i in range(2000)]), "outputData": str(tmp_path / "out.txt")}
    job, _ = await _run(repository, bus, stand_in(delay_s=0.005), tmp_path, body, cancel_after_lines=40)
    assert (job.description.workflow_status, job.description.message) == ("Failed", "cancelled")
    assert 40 <= job.description.progress.lines_done < 2000
    assert not (tmp_path / "out.txt").exists()

    service = BatchService(repository)
    pending = await service.create(IRIS, BatchJobDefinition.model_validate(body))
    cancelled = await service.cancel(IRIS, pending.name)
    assert (cancelled.workflow_status, cancelled.message) == ("Failed", "cancelled before it started")
    assert await repository.claim(OWNER, 1.0) is None  # nothing left to run


def _assert_complete_in_input_order(tmp_path: Path, values: list[float]) -> None:
    """Every input line's answer once, in input order."""
    out = [json.loads(line) for line in (tmp_path / "out.txt").read_text().splitlines()]
    assert [o["meta"]["tags"]["batch_index"] for o in out] == list(range(len(values)))
    assert [o["data"]["ndarray"] for o in out] == [[[v * 2]] for v in values]


async def test_two_batch_processes_share_one_job_each_line_once_in_input_order(
    repository: BatchJobRepository, either_bus: Bus, tmp_path: Path
) -> None:
    """Two batch workers in one consumer group (as two batch processes) on the standalone bus and on the real
    Kafka: both take work items, each chunk is processed by exactly one of them, and the output is complete."""
    values = [float(i) for i in range(600)]
    body = {"inputData": _input(tmp_path, values), "outputData": str(tmp_path / "out.txt"), "batchSize": 5,
            "batchWorkers": "2"}  # fmt: skip
    job, workers = await _run(repository, either_bus, stand_in(delay_s=0.002), tmp_path, body, workers=2)
    assert job.description.workflow_status == "Succeeded", job.description.message
    assert all(worker.chunks_done > 0 for worker in workers), [w.chunks_done for w in workers]
    assert sum(worker.chunks_done for worker in workers) == len(values) // SETTINGS.chunk_lines
    _assert_complete_in_input_order(tmp_path, values)
    assert job.description.progress.lines_done == len(values)


async def test_a_worker_error_fails_the_job_with_it(repository: BatchJobRepository, bus: Bus, tmp_path: Path) -> None:
    """An error the worker cannot get past (here the in-process data plane itself raises) ends the job `Failed`
    with that error, once: no retry loop, no output."""
    app = FastAPI()

    @app.post("/seldon/{namespace}/{name}/api/v1.0/predictions")
    async def predict() -> JSONResponse:
        raise RuntimeError("CUDA out of memory")

    body = {"inputData": _input(tmp_path, [float(i) for i in range(40)]), "outputData": str(tmp_path / "out.txt")}
    job, _ = await _run(repository, bus, app, tmp_path, body)
    assert job.description.workflow_status == "Failed"
    assert job.description.message == "lines 0-19 failed: RuntimeError: CUDA out of memory" or (
        job.description.message == "lines 20-39 failed: RuntimeError: CUDA out of memory"
    )
    assert not (tmp_path / "out.txt").exists()


async def test_work_items_flow_through_kafka_in_distributed_mode(
    repository: BatchJobRepository, kafka_bus: Bus, tmp_path: Path
) -> None:
    """The same job with one worker on the distributed bus (the real Kafka)."""
    values = [float(i) for i in range(100)]
    body = {"inputData": _input(tmp_path, values), "outputData": str(tmp_path / "out.txt"), "batchSize": 4}
    job, workers = await _run(repository, kafka_bus, stand_in(), tmp_path, body)
    assert job.description.workflow_status == "Succeeded", job.description.message
    assert workers[0].chunks_done == len(values) // SETTINGS.chunk_lines
    _assert_complete_in_input_order(tmp_path, values)


async def test_a_job_whose_runner_keeps_dying_fails_instead_of_being_resumed_forever(
    repository: BatchJobRepository, bus: Bus, tmp_path: Path
) -> None:
    body = {"inputData": _input(tmp_path, [1.0, 2.0]), "outputData": str(tmp_path / "out.txt")}
    row = await BatchService(repository).create(IRIS, BatchJobDefinition.model_validate(body))
    for _ in range(SETTINGS.max_runs):  # claimed, and its runner died at once (a lease of 0 s runs out at once)
        assert await repository.claim("died", 0.0) is not None
    claimed = await repository.claim(OWNER, SETTINGS.lease_s)
    assert claimed is not None and claimed.runs == SETTINGS.max_runs + 1
    await JobRunner(repository, bus, SETTINGS, tmp_path / "work", OWNER).run(claimed)  # no worker: it never starts
    job = await BatchService(repository).get(IRIS, row.name)
    assert job.description.workflow_status == "Failed"
    assert (job.description.message or "").startswith(
        f"the batch service running this job stopped {SETTINGS.max_runs} times"
    )
    assert not (tmp_path / "out.txt").exists()


async def test_lost_work_items_are_published_again(repository: BatchJobRepository, bus: Bus, tmp_path: Path) -> None:
    """Items taken off the bus and never stored (here a member of the workers' group that drops them, as the bus
    does with an item dead-lettered after its retries) are published again once no chunk got stored for a while."""
    settings = SETTINGS.model_copy(update={"redeliver_after_s": 0.5})
    values = [float(i) for i in range(60)]
    body = {"inputData": _input(tmp_path, values), "outputData": str(tmp_path / "out.txt")}
    row = await BatchService(repository).create(IRIS, BatchJobDefinition.model_validate(body))
    claimed = await repository.claim(OWNER, settings.lease_s)
    assert claimed is not None
    dropped: list[int] = []

    async def drop(events: Sequence[Event]) -> None:
        dropped.extend(decode_data_as(e, BatchWorkItem).chunk for e in events)

    black_hole = await bus.subscribe_batch(topics.BATCH_WORK, group=GROUP, handler=drop)
    runner = asyncio.create_task(JobRunner(repository, bus, settings, tmp_path / "work", OWNER).run(claimed))
    await eventually(lambda: sorted(set(dropped)) == [0, 1, 2], "the three chunks dropped")
    await black_hole.stop()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=stand_in()), base_url="http://serving") as client:
        subscription = await ChunkWorker(repository, Upstreams({"serving": client}), settings).subscribe(bus)
        await asyncio.wait_for(runner, 60)
        await subscription.stop()
    job = await BatchService(repository).get(IRIS, row.name)
    assert job.description.workflow_status == "Succeeded", job.description.message
    out = [json.loads(line) for line in (tmp_path / "out.txt").read_text().splitlines()]
    assert [o["meta"]["tags"]["batch_index"] for o in out] == list(range(len(values)))
