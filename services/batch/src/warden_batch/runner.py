"""Runs one claimed job: streams its input, sends mini-batches with `batchWorkers` requests in flight, stores the
output of every completed chunk of lines in PostgreSQL (the checkpoint), then writes the output in input order.

Resuming (after the process running it died): the chunks already stored are skipped, so no line is sent twice
by this runner for a stored chunk and none is written twice; lines of a chunk that was in flight are sent again.
"""

from __future__ import annotations

import asyncio
import logging
import math
import shutil
import uuid
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from warden_batch import lines as wire_lines
from warden_batch.dataplane import DataPlane, DeploymentMissing, RequestFailed
from warden_batch.lines import Line, LineError
from warden_batch.repository import BatchJobRepository, JobRow
from warden_batch.settings import BatchSettings
from warden_batch.wire import BatchJobDefinition
from warden_common.errors import WardenError
from warden_common.objectstore import object_store_for
from warden_common.objectstore.local import local_path
from warden_common.upstreams import Upstreams

logger = logging.getLogger(__name__)


class JobStopped(Exception):
    """The job ends early: cancelled, failed (stop-on-failure, deployment missing), or no longer ours."""

    def __init__(self, status: str | None, message: str) -> None:
        super().__init__(message)
        self.status = status  # None: the lease was lost, another runner owns the job
        self.message = message


@dataclass
class _Run:
    job: JobRow
    definition: BatchJobDefinition
    plane: DataPlane
    slots: asyncio.Semaphore
    stopped: JobStopped | None = None
    tasks: set[asyncio.Task[None]] = field(default_factory=set)


def read_lines(path: Path, first_index: int = 0) -> Iterator[Line]:
    """The input's lines, streamed (a trailing newline ends the last line, it does not start another)."""
    with path.open("r", encoding="utf-8", errors="replace", newline="") as handle:
        for index, text in enumerate(handle, start=first_index):
            yield Line(index, text.rstrip("\r\n"))


def count_lines(path: Path) -> int:
    count, last = 0, b"\n"
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")


class JobRunner:
    def __init__(
        self, repository: BatchJobRepository, upstreams: Upstreams, settings: BatchSettings, work_dir: Path, owner: str
    ) -> None:
        self._repository = repository
        self._upstreams = upstreams
        self._settings = settings
        self._work_dir = work_dir
        self._owner = owner

    async def run(self, job: JobRow) -> None:
        work = self._work_dir / str(job.uid)
        try:
            status, message = await self._execute(job, work)
        except JobStopped as stop:
            if stop.status is None:
                logger.warning("batch job %s is now run by another process", job.name)
                return
            status, message = stop.status, stop.message
        except WardenError as exc:  # the input or output location could not be read or written
            status, message = "Failed", exc.message
        await self._repository.finish(job.uid, self._owner, status, message)
        shutil.rmtree(work, ignore_errors=True)
        logger.info("batch job %s: %s", job.name, message or status)

    async def _execute(self, job: JobRow, work: Path) -> tuple[str, str | None]:
        definition = BatchJobDefinition.model_validate(job.definition)
        source = await self._input(definition.input_data, work)
        total = await asyncio.to_thread(count_lines, source)
        await self._repository.set_total(job.uid, total)
        plane = DataPlane(self._upstreams, job.namespace, job.deployment_name, definition.method,
                          definition.retries, self._settings.call_timeout_s)  # fmt: skip
        workers = min(definition.workers, self._settings.max_workers)
        run = _Run(job, definition, plane, asyncio.Semaphore(workers))
        renewing = asyncio.create_task(self._renew(run))
        try:
            await self._process(run, source)
        finally:
            renewing.cancel()
            with suppress(asyncio.CancelledError):
                await renewing
        if run.stopped:
            raise run.stopped
        await self._write_output(job, work)
        current = await self._repository.by_uid(job.uid)
        failed = current.failed_lines if current else 0
        return "Succeeded", (f"{failed} of {total} lines failed" if failed else None)

    async def _input(self, uri: str, work: Path) -> Path:
        store = object_store_for(uri, self._settings.object_store)
        if uri.startswith("s3://"):
            folder = await store.fetch(uri, work / "input")
            return folder / uri.rstrip("/").rsplit("/", 1)[-1]
        path = local_path(uri)
        if not path.is_file():
            raise JobStopped("Failed", f"the input {uri} is not a file")
        return path

    async def _process(self, run: _Run, source: Path) -> None:
        definition = run.definition
        size = definition.batch_size
        chunk_lines = math.ceil(self._settings.chunk_lines / size) * size
        done = await self._repository.done_chunks(run.job.uid)
        in_flight = asyncio.Semaphore(max(2, math.ceil(definition.workers * size * 2 / chunk_lines) + 1))
        chunk: list[Line] = []
        number = 0
        for line in read_lines(source):  # local file: reading a line does not block for long
            if run.stopped:
                break
            chunk.append(line)
            if len(chunk) == chunk_lines:
                await self._start_chunk(run, number, chunk, done, in_flight)
                chunk, number = [], number + 1
        if chunk and not run.stopped:
            await self._start_chunk(run, number, chunk, done, in_flight)
        if run.tasks:
            await asyncio.gather(*run.tasks, return_exceptions=True)

    async def _start_chunk(
        self, run: _Run, number: int, chunk: list[Line], done: set[int], in_flight: asyncio.Semaphore
    ) -> None:
        if number in done:
            return
        await in_flight.acquire()
        task = asyncio.create_task(self._chunk(run, number, chunk))
        run.tasks.add(task)

        def finished(done_task: asyncio.Task[None]) -> None:
            run.tasks.discard(done_task)
            in_flight.release()

        task.add_done_callback(finished)

    async def _chunk(self, run: _Run, number: int, chunk: list[Line]) -> None:
        size = run.definition.batch_size
        groups = [chunk[i : i + size] for i in range(0, len(chunk), size)]
        try:
            outputs = await asyncio.gather(*(self._group(run, group) for group in groups))
        except JobStopped as stop:
            run.stopped = run.stopped or stop
            return
        lines = [text for group in outputs for text, _ in group]
        failed = sum(1 for group in outputs for _, ok in group if not ok)
        stored = await self._repository.store_chunk(
            run.job.uid, self._owner, number, len(lines), failed, "\n".join(lines) + "\n"
        )
        if not stored:
            run.stopped = run.stopped or JobStopped(None, "lease lost")

    async def _group(self, run: _Run, group: list[Line]) -> list[tuple[str, bool]]:
        """Output lines (and success) of one mini-batch."""
        async with run.slots:
            if run.stopped:
                raise run.stopped
            definition = run.definition
            if len(group) > 1 and definition.method == "predict" and definition.data_type == "data":
                answers = await self._mini_batch(run, group)
                if answers is not None:
                    return answers
            results = [await self._one(run, line) for line in group]
            if definition.batch_interval:
                await asyncio.sleep(definition.batch_interval)
            return results

    async def _mini_batch(self, run: _Run, group: list[Line]) -> list[tuple[str, bool]] | None:
        try:
            rows = [wire_lines.rows_of(line) for line in group]
            answer = await run.plane.send(
                wire_lines.data_body([r for rs in rows for r in rs], run.definition.payload_type)
            )
        except (LineError, RequestFailed):
            return None  # line by line: only the bad lines fail
        except DeploymentMissing as exc:
            raise JobStopped("Failed", str(exc)) from None
        parts = wire_lines.split_answer(answer, [len(rs) for rs in rows])
        if parts is None:
            return None
        uid = run.job.uid
        return [(wire_lines.success(uid, line.index, part), True) for line, part in zip(group, parts, strict=True)]

    async def _one(self, run: _Run, line: Line) -> tuple[str, bool]:
        uid, definition = run.job.uid, run.definition
        try:
            if not line.text.strip():
                raise LineError(f"line {line.index} is empty")
            answer = await run.plane.send(wire_lines.line_body(line, definition.data_type, definition.payload_type))
        except (LineError, RequestFailed) as exc:
            if definition.stop_on_failure:
                raise JobStopped("Failed", f"stopped at line {line.index} (stopOnFailure): {exc}") from None
            return wire_lines.failure(uid, line.index, str(exc)), False
        except DeploymentMissing as exc:
            raise JobStopped("Failed", str(exc)) from None
        return wire_lines.success(uid, line.index, answer), True

    async def _renew(self, run: _Run) -> None:
        while True:
            await asyncio.sleep(self._settings.lease_s / 3)
            ours, cancel = await self._repository.renew(run.job.uid, self._owner, self._settings.lease_s)
            if not ours:
                run.stopped = JobStopped(None, "lease lost")
            elif cancel:
                run.stopped = JobStopped("Failed", "cancelled")
            if run.stopped:
                for task in list(run.tasks):
                    task.cancel()
                return

    async def _write_output(self, job: JobRow, work: Path) -> None:
        await asyncio.to_thread(work.mkdir, parents=True, exist_ok=True)
        assembled = work / "output.jsonl"
        handle = await asyncio.to_thread(assembled.open, "w", encoding="utf-8")
        try:
            async for text in self._repository.outputs(job.uid):
                handle.write(text)
        finally:
            handle.close()
        await object_store_for(job.output_uri, self._settings.object_store).put_file(assembled, job.output_uri)


def new_owner() -> str:
    return f"batch-{uuid.uuid4().hex[:12]}"
