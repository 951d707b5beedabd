"""Runs one claimed job (its coordinator): streams its input and publishes it as work items, chunks of lines, on the
bus (`warden_batch.worker` consumes them in every batch process, replicas sharing the work), keeping at most
`work_ahead_chunks` chunks not yet stored in flight; waits until every chunk's output is stored in PostgreSQL (the
checkpoint), then writes the output in input order.

Resuming (after the process running it died): the chunks already stored are not published again; chunks that
were in flight may be published twice, and a worker that finds its chunk stored already does nothing, so no line
is written twice.
"""

from __future__ import annotations

import asyncio
import logging
import math
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from warden_batch.lines import Line
from warden_batch.repository import BatchJobRepository, JobRow
from warden_batch.settings import BatchSettings
from warden_batch.wire import BatchJobDefinition
from warden_batch.worker import JobStopped, work_item
from warden_common import topics
from warden_common.bus.port import Bus
from warden_common.errors import WardenError
from warden_common.objectstore import object_store_for
from warden_common.objectstore.local import local_path

logger = logging.getLogger(__name__)

_WAIT_S = 0.1
"""How often the coordinator looks at the stored chunks while it waits for them."""


@dataclass
class _Run:
    job: JobRow
    definition: BatchJobDefinition
    stopped: JobStopped | None = None


def read_lines(path: Path, first_index: int = 0) -> Iterator[Line]:
    """The input's lines, streamed (a trailing newline ends the last line, it does not start another)."""
    with path.open("r", encoding="utf-8", errors="replace", newline="") as handle:
        for index, text in enumerate(handle, start=first_index):
            yield Line(index, text.rstrip("\r\n"))


def chunks_of(path: Path, chunk_lines: int, max_bytes: int) -> Iterator[tuple[int, int, list[str]]]:
    """(chunk number, first line, lines) of the input: `chunk_lines` lines, fewer when they would exceed
    `max_bytes` (a work item must fit in one bus record); the same input always gives the same chunks."""
    texts: list[str] = []
    number = first = size = 0
    for line in read_lines(path):
        if texts and (len(texts) == chunk_lines or size + len(line.text.encode()) > max_bytes):
            yield number, first, texts
            number, first, texts, size = number + 1, line.index, [], 0
        texts.append(line.text)
        size += len(line.text.encode()) + 8
    if texts:
        yield number, first, texts


def count_lines(path: Path) -> int:
    count, last = 0, b"\n"
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")


class JobRunner:
    def __init__(
        self, repository: BatchJobRepository, bus: Bus, settings: BatchSettings, work_dir: Path, owner: str
    ) -> None:
        self._repository = repository
        self._bus = bus
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
        except (asyncpg.PostgresError, OSError):
            raise  # the database is away: the lease runs out and this or another process resumes the job
        except Exception as exc:  # anything else would fail again on every resume: fail with the real error
            logger.exception("batch job %s failed", job.name)
            status, message = "Failed", f"{type(exc).__name__}: {exc}"
        await self._repository.finish(job.uid, self._owner, status, message)
        shutil.rmtree(work, ignore_errors=True)
        logger.info("batch job %s: %s", job.name, message or status)

    async def _execute(self, job: JobRow, work: Path) -> tuple[str, str | None]:
        if job.runs > self._settings.max_runs:
            raise JobStopped(
                "Failed",
                f"the batch service running this job stopped {job.runs - 1} times before it finished (killed or out "
                f"of memory? see its logs); not resumed again (WARDEN_BATCH_MAX_RUNS={self._settings.max_runs})",
            )
        definition = BatchJobDefinition.model_validate(job.definition)
        source = await self._input(definition.input_data, work)
        total = await asyncio.to_thread(count_lines, source)
        await self._repository.set_total(job.uid, total)
        run = _Run(job, definition)
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
        """Publish the chunks not stored, wait until all are; when none got stored for `redeliver_after_s` (an item
        was lost: dead-lettered after its retries while the database was away), publish the missing ones again."""
        while not run.stopped:
            chunks, stored = await self._publish(run, source)
            progress_at, last = time.monotonic(), stored
            while stored < chunks and not run.stopped:
                stored = await self._stored(run)
                if stored != last:
                    progress_at, last = time.monotonic(), stored
                elif time.monotonic() - progress_at > self._settings.redeliver_after_s:
                    logger.warning("batch job %s: no chunk stored for %.0f s, publishing the %d missing ones again",
                                   run.job.name, self._settings.redeliver_after_s, chunks - stored)  # fmt: skip
                    break
            else:
                return

    async def _publish(self, run: _Run, source: Path) -> tuple[int, int]:
        """Publish the chunks not stored yet (at most `work_ahead_chunks` ahead of the stored ones); (chunks of the
        input, chunks stored)."""
        uid = run.job.uid
        size = run.definition.batch_size
        chunk_lines = math.ceil(self._settings.chunk_lines / size) * size
        done = await self._repository.done_chunks(uid)
        stored = len(done)
        ahead = self._settings.work_ahead_chunks
        chunks = 0
        for number, first, texts in chunks_of(source, chunk_lines, self._settings.chunk_max_bytes):
            chunks += 1
            if number in done:
                continue
            while chunks - stored > ahead and not run.stopped:
                stored = await self._stored(run)
            if run.stopped:
                break
            await self._bus.publish(
                work_item(uid, number, first, texts), topic=topics.BATCH_WORK, key=f"{uid}/{number}"
            )
        return chunks, stored

    async def _stored(self, run: _Run) -> int:
        """The chunks stored so far, after a short wait; stops the run if the job no longer runs (a worker failed
        it) or is cancelled."""
        await asyncio.sleep(_WAIT_S)
        current = await self._repository.by_uid(run.job.uid)
        if current is None or current.status != "Running":
            run.stopped = run.stopped or JobStopped(None, "no longer running")
        elif current.cancel_requested:
            run.stopped = run.stopped or JobStopped("Failed", "cancelled")
        return await self._repository.chunk_count(run.job.uid)

    async def _renew(self, run: _Run) -> None:
        while True:
            await asyncio.sleep(self._settings.lease_s / 3)
            ours, cancel = await self._repository.renew(run.job.uid, self._owner, self._settings.lease_s)
            if not ours:  # another runner took it over, or a worker failed it
                run.stopped = JobStopped(None, "lease lost")
            elif cancel:
                run.stopped = JobStopped("Failed", "cancelled")
            if run.stopped:
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
