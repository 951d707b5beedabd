"""The sync status of each namespace (`GET /namespaces/{ns}/gitops-status`): in the service's PostgreSQL, so it
survives a restart and every reader sees the same; in memory only when the service has no database (a warning at
start says so)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import asyncpg

RECENT = 20
"""How many applied files the status keeps (the newest)."""


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment is not None else None


@dataclass
class SyncStatus:
    last_synced_commit: str | None = None
    last_sync_time: str | None = None
    last_error: str | None = None
    last_error_time: str | None = None
    applied: list[dict[str, Any]] = field(default_factory=list)


class StatusStore(Protocol):
    async def get(self, namespace: str) -> SyncStatus: ...

    async def synced(self, namespace: str, commit: str | None) -> None:
        """The namespace is synced up to `commit`: clears the last error."""

    async def failed(self, namespace: str, error: str) -> None: ...

    async def applied(self, namespace: str, entry: dict[str, Any]) -> None:
        """A deployment file taken from the remote (`{"file", "commit", "time"}`)."""


class MemoryStatusStore:
    def __init__(self) -> None:
        self._status: dict[str, SyncStatus] = {}

    def _of(self, namespace: str) -> SyncStatus:
        return self._status.setdefault(namespace, SyncStatus())

    async def get(self, namespace: str) -> SyncStatus:
        status = self._of(namespace)
        return SyncStatus(**{**status.__dict__, "applied": list(status.applied)})

    async def synced(self, namespace: str, commit: str | None) -> None:
        status = self._of(namespace)
        status.last_synced_commit, status.last_sync_time = commit, now_text()
        status.last_error = status.last_error_time = None

    async def failed(self, namespace: str, error: str) -> None:
        status = self._of(namespace)
        status.last_error, status.last_error_time = error, now_text()

    async def applied(self, namespace: str, entry: dict[str, Any]) -> None:
        status = self._of(namespace)
        status.applied.append(entry)
        del status.applied[:-RECENT]


class PostgresStatusStore:
    """One row per namespace in `warden_gitops.sync_status` (migration 0001)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def get(self, namespace: str) -> SyncStatus:
        row = await self._pool.fetchrow("SELECT * FROM warden_gitops.sync_status WHERE namespace = $1", namespace)
        if row is None:
            return SyncStatus()
        return SyncStatus(
            last_synced_commit=row["last_synced_commit"],
            last_sync_time=_text(row["last_sync_time"]),
            last_error=row["last_error"],
            last_error_time=_text(row["last_error_time"]),
            applied=list(row["recently_applied"]),
        )

    async def synced(self, namespace: str, commit: str | None) -> None:
        await self._pool.execute(
            """
            INSERT INTO warden_gitops.sync_status (namespace, last_synced_commit, last_sync_time)
            VALUES ($1, $2, now())
            ON CONFLICT (namespace) DO UPDATE SET last_synced_commit = EXCLUDED.last_synced_commit,
                last_sync_time = EXCLUDED.last_sync_time, last_error = NULL, last_error_time = NULL
            """,
            namespace,
            commit,
        )

    async def failed(self, namespace: str, error: str) -> None:
        await self._pool.execute(
            """
            INSERT INTO warden_gitops.sync_status (namespace, last_error, last_error_time) VALUES ($1, $2, now())
            ON CONFLICT (namespace) DO UPDATE SET last_error = EXCLUDED.last_error,
                last_error_time = EXCLUDED.last_error_time
            """,
            namespace,
            error,
        )

    async def applied(self, namespace: str, entry: dict[str, Any]) -> None:
        # Appended and cut to the newest RECENT in one statement: concurrent writers lose nothing but the oldest.
        await self._pool.execute(
            """
            INSERT INTO warden_gitops.sync_status AS s (namespace, recently_applied) VALUES ($1, $2)
            ON CONFLICT (namespace) DO UPDATE SET recently_applied = (
                SELECT coalesce(jsonb_agg(kept.e ORDER BY kept.i), '[]'::jsonb)
                FROM (
                    SELECT a.e, a.i
                    FROM jsonb_array_elements(s.recently_applied || EXCLUDED.recently_applied)
                        WITH ORDINALITY AS a(e, i)
                    ORDER BY a.i DESC
                    LIMIT $3
                ) AS kept
            )
            """,
            namespace,
            [entry],
            RECENT,
        )
