"""The batch workers: every batch process consumes the work items of running jobs from the bus (topic
`warden.batch.work`, one consumer group, so replicas share a job's chunks), sends each chunk's mini-batches to the
job's deployment (`batchWorkers` requests in flight per job and process) and stores the chunk's output in
PostgreSQL once. A redelivered item whose chunk is stored does nothing; an item of a job that no longer runs
(finished, failed, cancelled) is dropped. A job that cannot go on (stop-on-failure, deployment missing, an error
the worker cannot get past) ends `Failed` with the error; a database that is away makes the bus retry the item.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import asyncpg

from warden_batch import lines as wire_lines
from warden_batch.dataplane import DataPlane, DeploymentMissing, RequestFailed
from warden_batch.lines import Line, LineError
from warden_batch.repository import BatchJobRepository, JobRow
from warden_batch.settings import BatchSettings
from warden_batch.wire import BatchJobDefinition
from warden_common import topics
from warden_common.bus.port import Bus, Subscription
from warden_common.codec import Event
from warden_common.events import BATCH_WORK_ITEM, build_event, decode_data_as
from warden_common.events.batch import BatchWorkItem
from warden_common.upstreams import Upstreams

logger = logging.getLogger(__name__)

GROUP = "batch-workers"
_TRANSIENT = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, asyncpg.CannotConnectNowError,
              asyncpg.TooManyConnectionsError, OSError)  # fmt: skip
EVENT_SOURCE = "/warden/batch"
_CACHED_JOBS = 64


class JobStopped(Exception):
    """The job ends early: cancelled, failed (stop-on-failure, deployment missing), or no longer ours."""

    def __init__(self, status: str | None, message: str) -> None:
        super().__init__(message)
        self.status = status  # None: the job is no longer this runner's (another one took it, or a worker failed it)
        self.message = message


def work_item(uid: uuid.UUID, chunk: int, first_line: int, texts: list[str]) -> Event:
    return build_event(
        BATCH_WORK_ITEM, BatchWorkItem(job_uid=uid, chunk=chunk, first_line=first_line, lines=texts),
        source=EVENT_SOURCE,
    )  # fmt: skip


@dataclass
class _Job:
    uid: uuid.UUID
    definition: BatchJobDefinition
    plane: DataPlane
    slots: asyncio.Semaphore


class ChunkWorker:
    def __init__(self, repository: BatchJobRepository, upstreams: Upstreams, settings: BatchSettings) -> None:
        self._repository = repository
        self._upstreams = upstreams
        self._settings = settings
        self._jobs: dict[uuid.UUID, _Job] = {}
        self.chunks_done = 0
        """Chunks this worker stored (tests read it to see that replicas shared a job)."""

    async def subscribe(self, bus: Bus) -> Subscription:
        return await bus.subscribe_batch(topics.BATCH_WORK, group=GROUP, handler=self.handle_batch, max_batch=16)

    async def handle_batch(self, events: Sequence[Event]) -> Mapping[int, Exception] | None:
        items = [decode_data_as(event, BatchWorkItem) for event in events if event.get_type() == BATCH_WORK_ITEM]
        results = await asyncio.gather(*(self.handle(item) for item in items), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result  # retried whole: the chunks stored meanwhile are skipped then
        return None

    async def handle(self, item: BatchWorkItem) -> None:
        row = await self._repository.by_uid(item.job_uid)
        if row is None or row.status != "Running" or row.cancel_requested:
            self._jobs.pop(item.job_uid, None)
            return
        if await self._repository.has_chunk(row.uid, item.chunk):
            return
        job = self._job(row)
        last = item.first_line + len(item.lines) - 1
        try:
            lines = [Line(item.first_line + i, text) for i, text in enumerate(item.lines)]
            size = job.definition.batch_size
            groups = [lines[i : i + size] for i in range(0, len(lines), size)]
            outputs = await asyncio.gather(*(self._group(job, group) for group in groups))
            texts = [text for group in outputs for text, _ in group]
            failed = sum(1 for group in outputs for _, ok in group if not ok)
            if await self._repository.store_chunk(row.uid, item.chunk, len(texts), failed, "\n".join(texts) + "\n"):
                self.chunks_done += 1
        except JobStopped as stop:
            await self._repository.fail(row.uid, stop.message)
            return
        except _TRANSIENT:
            raise  # the database or network is away for a moment: the bus retries the item
        except Exception as exc:  # anything else would fail again: the job fails with the error
            logger.exception("batch job %s: lines %d-%d failed", row.name, item.first_line, last)
            await self._repository.fail(row.uid, f"lines {item.first_line}-{last} failed: {type(exc).__name__}: {exc}")
            return

    def _job(self, row: JobRow) -> _Job:
        job = self._jobs.get(row.uid)
        if job is None:
            definition = BatchJobDefinition.model_validate(row.definition)
            plane = DataPlane(self._upstreams, row.namespace, row.deployment_name, definition.method,
                              definition.retries, self._settings.call_timeout_s)  # fmt: skip
            job = _Job(
                row.uid, definition, plane, asyncio.Semaphore(min(definition.workers, self._settings.max_workers))
            )
            if len(self._jobs) >= _CACHED_JOBS:
                self._jobs.pop(next(iter(self._jobs)))
            self._jobs[row.uid] = job
        return job

    async def _group(self, job: _Job, group: list[Line]) -> list[tuple[str, bool]]:
        """Output lines (and success) of one mini-batch."""
        async with job.slots:
            definition = job.definition
            if len(group) > 1 and definition.method == "predict" and definition.data_type == "data":
                answers = await self._mini_batch(job, group)
                if answers is not None:
                    return answers
            results = [await self._one(job, line) for line in group]
            if definition.batch_interval:
                await asyncio.sleep(definition.batch_interval)
            return results

    async def _mini_batch(self, job: _Job, group: list[Line]) -> list[tuple[str, bool]] | None:
        try:
            rows = [wire_lines.rows_of(line) for line in group]
            answer = await job.plane.send(
                wire_lines.data_body([r for rs in rows for r in rs], job.definition.payload_type)
            )
        except (LineError, RequestFailed):
            return None  # line by line: only the bad lines fail
        except DeploymentMissing as exc:
            raise JobStopped("Failed", str(exc)) from None
        parts = wire_lines.split_answer(answer, [len(rs) for rs in rows])
        if parts is None:
            return None
        return [(wire_lines.success(job.uid, line.index, part), True) for line, part in zip(group, parts, strict=True)]

    async def _one(self, job: _Job, line: Line) -> tuple[str, bool]:
        definition = job.definition
        try:
            if not line.text.strip():
                raise LineError(f"line {line.index} is empty")
            answer = await job.plane.send(wire_lines.line_body(line, definition.data_type, definition.payload_type))
        except (LineError, RequestFailed) as exc:
            if definition.stop_on_failure:
                raise JobStopped("Failed", f"stopped at line {line.index} (stopOnFailure): {exc}") from None
            return wire_lines.failure(job.uid, line.index, str(exc)), False
        except DeploymentMissing as exc:
            raise JobStopped("Failed", str(exc)) from None
        return wire_lines.success(job.uid, line.index, answer), True
