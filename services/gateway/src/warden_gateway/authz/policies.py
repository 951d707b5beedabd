"""The stored authorization policy document: read, replace (versioned), and the version replicas poll."""

from __future__ import annotations

from typing import Any

import asyncpg
from pydantic import ValidationError

from warden_common.auth.policy import PolicyDocument
from warden_common.errors import Conflict, Unprocessable


def parse_policy(body: Any) -> PolicyDocument:
    try:
        return PolicyDocument.model_validate(body)
    except ValidationError as exc:
        details = [{"path": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]
        shown = "; ".join(f"{d['path']}: {d['message']}" for d in details)
        raise Unprocessable(f"invalid policy: {shown}", details=details) from exc


class PolicyStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def version(self) -> int:
        async with self._pool.acquire() as conn:
            return int(await conn.fetchval("SELECT version FROM gateway.authorization_policy WHERE id = 1"))

    async def read(self) -> tuple[PolicyDocument, int, dict[str, Any]]:
        """The document, its version, and who changed it when."""
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(
                "SELECT document, version, updated_at, updated_by FROM gateway.authorization_policy WHERE id = 1"
            )
        meta = {"version": row["version"], "updatedAt": row["updated_at"].isoformat(), "updatedBy": row["updated_by"]}
        return PolicyDocument.model_validate(row["document"]), int(row["version"]), meta

    async def replace(self, body: Any, *, actor: str, expected_version: int | None) -> int:
        document = parse_policy(body)
        async with self._pool.acquire() as conn:
            version = await conn.fetchval(
                "UPDATE gateway.authorization_policy SET document = $1::jsonb, version = version + 1,"
                " updated_at = now(), updated_by = $2 WHERE id = 1 AND ($3::bigint IS NULL OR version = $3)"
                " RETURNING version",
                document.model_dump(mode="json"),
                actor,
                expected_version,
            )
        if version is None:
            raise Conflict(
                f"the policy changed since version {expected_version}; read it again", code="stale_resource_version"
            )
        return int(version)
