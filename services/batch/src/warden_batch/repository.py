"""Batch jobs and their completed chunks in PostgreSQL (schema `warden_batch`)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg

_JOB_COLUMNS = """uid, name, namespace, deployment_kind, deployment_name, definition, output_uri, status, message,
    created_at, started_at, finished_at, total_lines, done_lines, failed_lines, run_started_at, run_start_lines,
    cancel_requested, created_by, runs, now() AS now"""


@dataclass(frozen=True)
class JobRow:
    uid: uuid.UUID
    name: str
    namespace: str
    deployment_kind: str
    deployment_name: str
    definition: dict[str, Any]
    output_uri: str
    status: str
    message: str | None
    created_at: Any
    started_at: Any
    finished_at: Any
    total_lines: int | None
    done_lines: int
    failed_lines: int
    run_started_at: Any
    run_start_lines: int
    cancel_requested: bool
    created_by: str | None
    runs: int
    now: Any


def _job(record: asyncpg.Record) -> JobRow:
    return JobRow(**dict(record))


class BatchJobRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def insert(
        self, uid: uuid.UUID, name: str, deployment: tuple[str, str, str], definition: dict[str, Any],
        output_uri: str, actor: str | None,
    ) -> bool:  # fmt: skip
        """False if the deployment already has a job of that name."""
        namespace, kind, deployment_name = deployment
        inserted = await self._pool.fetchval(
            """INSERT INTO warden_batch.jobs (uid, name, namespace, deployment_kind, deployment_name, definition,
                   output_uri, created_by)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING true""",
            uid, name, namespace, kind, deployment_name, definition, output_uri, actor,
        )  # fmt: skip
        return bool(inserted)

    async def get(self, namespace: str, kind: str, deployment: str, name: str) -> JobRow | None:
        record = await self._pool.fetchrow(
            f"""SELECT {_JOB_COLUMNS} FROM warden_batch.jobs
                WHERE namespace = $1 AND deployment_kind = $2 AND deployment_name = $3 AND name = $4""",
            namespace, kind, deployment, name,
        )  # fmt: skip
        return _job(record) if record else None

    async def by_uid(self, uid: uuid.UUID) -> JobRow | None:
        record = await self._pool.fetchrow(f"SELECT {_JOB_COLUMNS} FROM warden_batch.jobs WHERE uid = $1", uid)
        return _job(record) if record else None

    async def page(
        self, namespace: str, kind: str, deployment: str, limit: int, offset: int
    ) -> tuple[list[JobRow], int]:
        where = "namespace = $1 AND deployment_kind = $2 AND deployment_name = $3"
        async with self._pool.acquire() as conn:
            total = await conn.fetchval(f"SELECT count(*) FROM warden_batch.jobs WHERE {where}", namespace, kind,
                                        deployment)  # fmt: skip
            records = await conn.fetch(
                f"""SELECT {_JOB_COLUMNS} FROM warden_batch.jobs WHERE {where}
                    ORDER BY created_at DESC, name LIMIT $4 OFFSET $5""",
                namespace, kind, deployment, limit, offset,
            )  # fmt: skip
        return [_job(r) for r in records], int(total)

    async def request_cancel(self, uid: uuid.UUID) -> None:
        """A pending job fails at once; a running one at its runner's next lease renewal."""
        await self._pool.execute(
            """UPDATE warden_batch.jobs SET cancel_requested = true,
                   status = CASE WHEN status = 'Pending' THEN 'Failed' ELSE status END,
                   message = CASE WHEN status = 'Pending' THEN 'cancelled before it started' ELSE message END,
                   finished_at = CASE WHEN status = 'Pending' THEN now() ELSE finished_at END
               WHERE uid = $1 AND status IN ('Pending', 'Running')""",
            uid,
        )

    async def claim(self, owner: str, lease_s: float) -> JobRow | None:
        """The oldest pending job, or a running one whose runner stopped renewing its lease: now `owner`'s."""
        record = await self._pool.fetchrow(
            f"""UPDATE warden_batch.jobs SET lease_owner = $1, lease_until = now() + make_interval(secs => $2),
                    status = 'Running', started_at = coalesce(started_at, now()), run_started_at = now(),
                    run_start_lines = done_lines, runs = runs + 1
                WHERE uid = (SELECT uid FROM warden_batch.jobs
                             WHERE status IN ('Pending', 'Running') AND (lease_until IS NULL OR lease_until < now())
                             ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
                RETURNING {_JOB_COLUMNS}""",
            owner, lease_s,
        )  # fmt: skip
        return _job(record) if record else None

    async def renew(self, uid: uuid.UUID, owner: str, lease_s: float) -> tuple[bool, bool]:
        """(still ours, cancel requested)."""
        record = await self._pool.fetchrow(
            """UPDATE warden_batch.jobs SET lease_until = now() + make_interval(secs => $3)
               WHERE uid = $1 AND lease_owner = $2 AND status = 'Running' RETURNING cancel_requested""",
            uid, owner, lease_s,
        )  # fmt: skip
        return (record is not None, bool(record and record["cancel_requested"]))

    async def set_total(self, uid: uuid.UUID, total: int) -> None:
        await self._pool.execute("UPDATE warden_batch.jobs SET total_lines = $2 WHERE uid = $1", uid, total)

    async def done_chunks(self, uid: uuid.UUID) -> set[int]:
        rows = await self._pool.fetch("SELECT chunk FROM warden_batch.chunks WHERE job_uid = $1", uid)
        return {int(r["chunk"]) for r in rows}

    async def chunk_count(self, uid: uuid.UUID) -> int:
        return int(await self._pool.fetchval("SELECT count(*) FROM warden_batch.chunks WHERE job_uid = $1", uid))

    async def has_chunk(self, uid: uuid.UUID, chunk: int) -> bool:
        found = await self._pool.fetchval(
            "SELECT true FROM warden_batch.chunks WHERE job_uid = $1 AND chunk = $2", uid, chunk
        )
        return bool(found)

    async def store_chunk(self, uid: uuid.UUID, chunk: int, lines: int, failed: int, output: str) -> bool:
        """Store a completed chunk once (and count its lines) while the job runs and is not cancelled; a chunk
        stored already (a redelivered work item) is left as it is. False if the job no longer runs."""
        async with self._pool.acquire() as conn, conn.transaction():
            running = await conn.fetchval(
                "SELECT true FROM warden_batch.jobs WHERE uid = $1 AND status = 'Running' AND NOT cancel_requested "
                "FOR UPDATE",
                uid,
            )
            if not running:
                return False
            inserted = await conn.fetchval(
                """INSERT INTO warden_batch.chunks (job_uid, chunk, lines, failed, output) VALUES ($1, $2, $3, $4, $5)
                   ON CONFLICT DO NOTHING RETURNING true""",
                uid, chunk, lines, failed, output,
            )  # fmt: skip
            if inserted:
                await conn.execute(
                    """UPDATE warden_batch.jobs SET done_lines = done_lines + $2, failed_lines = failed_lines + $3
                       WHERE uid = $1""",
                    uid, lines, failed,
                )  # fmt: skip
        return True

    async def fail(self, uid: uuid.UUID, message: str) -> None:
        """A worker ends a running job `Failed` (stop-on-failure, deployment missing, an error it cannot get
        past); the job's runner sees it and stops."""
        async with self._pool.acquire() as conn, conn.transaction():
            done = await conn.fetchval(
                """UPDATE warden_batch.jobs SET status = 'Failed', message = $2, finished_at = now(),
                       lease_owner = NULL, lease_until = NULL
                   WHERE uid = $1 AND status = 'Running' RETURNING true""",
                uid, message,
            )  # fmt: skip
            if done:
                await conn.execute("DELETE FROM warden_batch.chunks WHERE job_uid = $1", uid)

    async def outputs(self, uid: uuid.UUID) -> AsyncIterator[str]:
        """Every stored chunk's output, in input order, through a cursor (never all in memory)."""
        async with self._pool.acquire() as conn, conn.transaction():
            async for record in conn.cursor(
                "SELECT output FROM warden_batch.chunks WHERE job_uid = $1 ORDER BY chunk", uid, prefetch=8
            ):
                yield str(record["output"])

    async def finish(self, uid: uuid.UUID, owner: str, status: str, message: str | None) -> None:
        """The final state; a succeeded job's chunks are deleted (its output is written)."""
        async with self._pool.acquire() as conn, conn.transaction():
            done = await conn.fetchval(
                """UPDATE warden_batch.jobs SET status = $3, message = $4, finished_at = now(), lease_owner = NULL,
                       lease_until = NULL
                   WHERE uid = $1 AND lease_owner = $2 AND status = 'Running' RETURNING true""",
                uid, owner, status, message,
            )  # fmt: skip
            if done:
                await conn.execute("DELETE FROM warden_batch.chunks WHERE job_uid = $1", uid)

    async def release(self, owner: str) -> None:
        """Hand `owner`'s running jobs back at once (a clean stop): the next process resumes them without waiting
        for their leases to expire (and a clean stop does not count as one of a job's `runs`)."""
        await self._pool.execute(
            """UPDATE warden_batch.jobs SET lease_owner = NULL, lease_until = NULL, runs = greatest(runs - 1, 0)
               WHERE lease_owner = $1 AND status = 'Running'""",
            owner,
        )
