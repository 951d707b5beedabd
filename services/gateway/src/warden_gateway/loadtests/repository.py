"""SQL of `gateway.load_tests`: one row per job (callers own the transactions)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from warden_gateway.repository import rfc3339

PENDING, RUNNING, SUCCEEDED, FAILED = "Pending", "Running", "Succeeded", "Failed"
ACTIVE = (PENDING, RUNNING)

_COLUMNS = (
    "namespace, kind, deployment, name, status, connections, requests, duration_s, payload, path, created_by, "
    "created_at, started_at, finished_at, heartbeat_at, result, reason"
)


@dataclass(frozen=True)
class LoadTestRow:
    namespace: str
    kind: str
    deployment: str
    name: str
    status: str
    connections: int
    requests: int | None
    duration_s: float | None
    payload: Any
    path: str
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    heartbeat_at: datetime | None
    result: dict[str, Any] | None
    reason: str | None

    def to_api(self) -> dict[str, Any]:
        """The job as `GET .../loadtestjobs` lists it (camelCase, like the SDK's other job models)."""
        return {
            "jobName": self.name, "namespace": self.namespace, "deploymentName": self.deployment,
            "deploymentKind": self.kind, "status": self.status, "connectionsNumber": self.connections,
            "requestsNumber": self.requests, "duration": self.duration_s, "path": self.path,
            "payload": self.payload, "createdBy": self.created_by, "createdAt": rfc3339(self.created_at),
            "startedAt": _time(self.started_at), "finishedAt": _time(self.finished_at), "reason": self.reason,
            "result": self.result,
        }  # fmt: skip


def _time(moment: datetime | None) -> str | None:
    return rfc3339(moment) if moment is not None else None


def _row(record: asyncpg.Record) -> LoadTestRow:
    return LoadTestRow(**dict(record))


async def insert(conn: asyncpg.Connection, row: dict[str, Any]) -> LoadTestRow | None:
    """The new row, or None when a job of that name exists for the deployment."""
    record = await conn.fetchrow(
        f"""INSERT INTO gateway.load_tests (namespace, kind, deployment, name, status, connections, requests,
                   duration_s, payload, path, created_by)
            VALUES ($1, $2, $3, $4, '{PENDING}', $5, $6, $7, $8, $9, $10)
            ON CONFLICT DO NOTHING RETURNING {_COLUMNS}""",
        row["namespace"], row["kind"], row["deployment"], row["name"], row["connections"], row["requests"],
        row["duration_s"], row["payload"], row["path"], row["created_by"],
    )  # fmt: skip
    return _row(record) if record else None


async def list_for(conn: asyncpg.Connection, namespace: str, kind: str, deployment: str) -> list[LoadTestRow]:
    records = await conn.fetch(
        f"""SELECT {_COLUMNS} FROM gateway.load_tests WHERE namespace = $1 AND kind = $2 AND deployment = $3
            ORDER BY created_at DESC, name""",
        namespace, kind, deployment,
    )  # fmt: skip
    return [_row(r) for r in records]


async def delete(conn: asyncpg.Connection, namespace: str, kind: str, deployment: str, name: str) -> bool:
    done = await conn.execute(
        "DELETE FROM gateway.load_tests WHERE namespace = $1 AND kind = $2 AND deployment = $3 AND name = $4",
        namespace, kind, deployment, name,
    )  # fmt: skip
    return bool(done != "DELETE 0")


async def mark_running(conn: asyncpg.Connection, key: tuple[str, str, str, str]) -> bool:
    """False when the job is gone (deleted before it started)."""
    done = await conn.execute(
        f"""UPDATE gateway.load_tests SET status = '{RUNNING}', started_at = now(), heartbeat_at = now()
            WHERE namespace = $1 AND kind = $2 AND deployment = $3 AND name = $4""",
        *key,
    )
    return bool(done != "UPDATE 0")


async def heartbeat(conn: asyncpg.Connection, key: tuple[str, str, str, str], progress: dict[str, Any]) -> bool:
    """Record progress; False when the job is gone (deleted: the runner stops)."""
    done = await conn.execute(
        """UPDATE gateway.load_tests SET heartbeat_at = now(), result = $5
            WHERE namespace = $1 AND kind = $2 AND deployment = $3 AND name = $4""",
        *key, progress,
    )  # fmt: skip
    return bool(done != "UPDATE 0")


async def finish(
    conn: asyncpg.Connection, key: tuple[str, str, str, str], status: str, result: dict[str, Any] | None,
    reason: str | None,
) -> None:  # fmt: skip
    await conn.execute(
        """UPDATE gateway.load_tests SET status = $5, result = COALESCE($6, result), reason = $7, finished_at = now()
            WHERE namespace = $1 AND kind = $2 AND deployment = $3 AND name = $4""",
        *key, status, result, reason,
    )  # fmt: skip


async def fail_stale(conn: asyncpg.Connection, stale_after_s: float, reason: str) -> int:
    """Fail the jobs still marked active whose runner stopped beating (its gateway died); how many."""
    done = await conn.execute(
        f"""UPDATE gateway.load_tests SET status = '{FAILED}', reason = $2, finished_at = now()
            WHERE status IN ('{PENDING}', '{RUNNING}')
              AND COALESCE(heartbeat_at, created_at) < now() - make_interval(secs => $1)""",
        stale_after_s, reason,
    )  # fmt: skip
    return int(done.split()[-1])
