"""Batch jobs: create, read, list and cancel them (the API), and run them (the scheduler)."""

from __future__ import annotations

import asyncio
import logging
import math
import os
import secrets
import string
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from warden_batch.repository import BatchJobRepository, JobRow
from warden_batch.runner import JobRunner
from warden_batch.wire import (
    WORKFLOW_NAME,
    BatchJobDefinition,
    BatchJobDescription,
    BatchJobGetResponse,
    Phase,
    Progress,
)
from warden_common.errors import Conflict, NotFound, Unprocessable
from warden_common.objectstore.local import local_path
from warden_common.tasks import wait_event

logger = logging.getLogger(__name__)
_SUFFIX = string.ascii_lowercase + string.digits


@dataclass(frozen=True)
class DeploymentRef:
    namespace: str
    kind: str
    name: str


def job_name(deployment: str) -> str:
    """`<deployment>-<5 characters>`, like Seldon Deploy's Argo workflows (within 63 characters)."""
    return f"{deployment[:57].rstrip('-')}-{''.join(secrets.choice(_SUFFIX) for _ in range(5))}"


def describe(row: JobRow) -> BatchJobDescription:
    total = row.total_lines
    rate = eta = None
    if row.status == "Running" and row.run_started_at is not None:
        elapsed = (row.now - row.run_started_at).total_seconds()
        done_now = row.done_lines - row.run_start_lines
        if elapsed > 0 and done_now > 0:
            rate = round(done_now / elapsed, 2)
            if total is not None:
                eta = round(max(total - row.done_lines, 0) / rate, 1)
    progress = Progress(lines_done=row.done_lines, lines_failed=row.failed_lines, lines_total=total,
                        lines_per_second=rate, eta_seconds=eta)  # fmt: skip
    return BatchJobDescription(
        workflow_name=row.name, workflow_uid=row.uid, workflow_status=cast(Phase, row.status),
        started_at=row.started_at, finished_at=row.finished_at, message=row.message, output_data=row.output_uri,
        created_by=row.created_by, progress=progress,
    )  # fmt: skip


def _outside(uri: str, roots: list[Path]) -> bool:
    if uri.startswith("s3://"):
        return False
    path = Path(os.path.normpath(local_path(uri).absolute()))
    return not any(path.is_relative_to(root.expanduser().absolute()) for root in roots)


class BatchService:
    def __init__(
        self, repository: BatchJobRepository, wake: asyncio.Event | None = None, local_dirs: list[Path] | None = None
    ) -> None:
        self._repository = repository
        self._wake = wake
        self._local_dirs = local_dirs

    def _check_locations(self, definition: BatchJobDefinition) -> None:
        if self._local_dirs is None:
            return
        for field, uri in (("inputData", definition.input_data), ("outputData", definition.output_data)):
            if _outside(uri, self._local_dirs):
                allowed = ", ".join(str(d) for d in self._local_dirs) or "none"
                raise Unprocessable(f"{field} {uri!r} is outside the batch service's local directories ({allowed})")

    async def create(
        self, deployment: DeploymentRef, definition: BatchJobDefinition, actor: str | None = None
    ) -> JobRow:
        self._check_locations(definition)
        for _ in range(5):
            name = job_name(deployment.name)
            uid = uuid.uuid4()
            output = definition.output_data.replace(WORKFLOW_NAME, name)
            key = (deployment.namespace, deployment.kind, deployment.name)
            if await self._repository.insert(uid, name, key, definition.wire(), output, actor):
                row = await self._repository.by_uid(uid)
                assert row is not None
                if self._wake is not None:
                    self._wake.set()  # run it now rather than at the next poll
                return row
        raise Conflict(f"no free batch job name for {deployment.namespace}/{deployment.name}")  # pragma: no cover

    async def get(self, deployment: DeploymentRef, name: str) -> BatchJobGetResponse:
        row = await self._row(deployment, name)
        return BatchJobGetResponse(definition=row.definition, description=describe(row))

    async def page(self, deployment: DeploymentRef, limit: int, page: int) -> tuple[list[BatchJobDescription], int]:
        rows, total = await self._repository.page(
            deployment.namespace, deployment.kind, deployment.name, limit, (page - 1) * limit
        )
        return [describe(row) for row in rows], max(1, math.ceil(total / limit))

    async def cancel(self, deployment: DeploymentRef, name: str) -> BatchJobDescription:
        row = await self._row(deployment, name)
        await self._repository.request_cancel(row.uid)
        return describe(await self._row(deployment, name))

    async def _row(self, deployment: DeploymentRef, name: str) -> JobRow:
        row = await self._repository.get(deployment.namespace, deployment.kind, deployment.name, name)
        if row is None:
            raise NotFound(f"{deployment.kind} {deployment.namespace}/{deployment.name} has no batch job {name}")
        return row


class JobScheduler:
    """Claims runnable jobs (new ones, and ones whose runner died: lease expired) and runs them, at most
    `max_running` at a time in this process."""

    def __init__(
        self, repository: BatchJobRepository, runner: JobRunner, owner: str, max_running: int, poll_s: float,
        lease_s: float,
    ) -> None:  # fmt: skip
        self._repository = repository
        self._runner = runner
        self._owner = owner
        self._max_running = max_running
        self._poll_s = poll_s
        self._lease_s = lease_s
        self._running: set[asyncio.Task[None]] = set()
        self.wake = asyncio.Event()

    async def run_forever(self) -> None:
        try:
            while True:
                try:
                    await self._claim_some()
                except Exception:  # the database may be away for a moment: try again at the next poll
                    logger.exception("claiming batch jobs failed")
                await wait_event(self.wake, self._poll_s)
                self.wake.clear()
        finally:
            for task in self._running:
                task.cancel()
            await asyncio.gather(*self._running, return_exceptions=True)

    async def _claim_some(self) -> None:
        while len(self._running) < self._max_running:
            job = await self._repository.claim(self._owner, self._lease_s)
            if job is None:
                return
            logger.info("running batch job %s (%s/%s)", job.name, job.namespace, job.deployment_name)
            task = asyncio.create_task(self._runner.run(job), name=f"batch job {job.name}")
            self._running.add(task)
            task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("batch job runner failed", exc_info=task.exception())
        self.wake.set()
