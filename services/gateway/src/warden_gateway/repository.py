"""SQL of the gateway's own tables (schema `gateway`, see migrations/); callers own the transactions."""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg

# Metadata the server owns: whatever a client sends for these is replaced on read.
MANAGED_METADATA = ("uid", "generation", "resourceVersion", "creationTimestamp", "managedFields", "selfLink")


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class NamespaceRow:
    name: str
    uid: uuid.UUID
    labels: dict[str, str]
    annotations: dict[str, str]
    resource_version: int
    created_at: datetime

    def to_api(self) -> dict[str, Any]:
        """Flat, as the SDK's `Namespace` model reads it, with Kubernetes' status."""
        return {
            "name": self.name,
            "labels": self.labels,
            "annotations": self.annotations,
            "uid": str(self.uid),
            "resourceVersion": str(self.resource_version),
            "creationTimestamp": rfc3339(self.created_at),
            "status": {"phase": "Active"},
        }


@dataclass(frozen=True)
class DeploymentRow:
    namespace: str
    name: str
    kind: str
    uid: uuid.UUID
    generation: int
    resource_version: int
    created_at: datetime
    updated_at: datetime
    body: dict[str, Any]
    status: dict[str, Any]
    stable_predictor: dict[str, Any] | None

    def to_object(self) -> dict[str, Any]:
        """The Kubernetes object: the stored body with the server-managed metadata and the observed status."""
        obj = copy.deepcopy(self.body)
        metadata = dict(obj.get("metadata") or {})
        metadata.update(
            name=self.name,
            namespace=self.namespace,
            uid=str(self.uid),
            generation=self.generation,
            resourceVersion=str(self.resource_version),
            creationTimestamp=rfc3339(self.created_at),
        )
        obj["metadata"] = metadata
        status = copy.deepcopy(self.status)
        if self.stable_predictor is not None:
            status["warden"] = {"stablePredictor": copy.deepcopy(self.stable_predictor)}
        obj["status"] = status
        return obj


def strip_managed(obj: dict[str, Any]) -> dict[str, Any]:
    metadata = {k: v for k, v in (obj.get("metadata") or {}).items() if k not in MANAGED_METADATA}
    return {**obj, "metadata": metadata}


_NS_COLUMNS = "name, uid, labels, annotations, resource_version, created_at"
_DEP_COLUMNS = (
    "namespace, name, kind, uid, generation, resource_version, created_at, updated_at, body, status, stable_predictor"
)


def _namespace(row: asyncpg.Record) -> NamespaceRow:
    return NamespaceRow(**dict(row))


def _deployment(row: asyncpg.Record) -> DeploymentRow:
    return DeploymentRow(**dict(row))


async def list_namespaces(conn: asyncpg.Connection) -> list[NamespaceRow]:
    rows = await conn.fetch(f"SELECT {_NS_COLUMNS} FROM gateway.namespaces ORDER BY name")
    return [_namespace(r) for r in rows]


async def get_namespace(conn: asyncpg.Connection, name: str, *, for_update: bool = False) -> NamespaceRow | None:
    lock = " FOR UPDATE" if for_update else ""
    row = await conn.fetchrow(f"SELECT {_NS_COLUMNS} FROM gateway.namespaces WHERE name = $1{lock}", name)
    return _namespace(row) if row else None


async def insert_namespace(
    conn: asyncpg.Connection, name: str, labels: dict[str, str], annotations: dict[str, str]
) -> NamespaceRow | None:
    """The new row, or None when the name is taken."""
    row = await conn.fetchrow(
        f"""INSERT INTO gateway.namespaces (name, uid, labels, annotations) VALUES ($1, $2, $3, $4)
            ON CONFLICT (name) DO NOTHING RETURNING {_NS_COLUMNS}""",
        name,
        uuid.uuid4(),
        labels,
        annotations,
    )
    return _namespace(row) if row else None


async def update_namespace(
    conn: asyncpg.Connection, name: str, labels: dict[str, str], annotations: dict[str, str]
) -> NamespaceRow | None:
    row = await conn.fetchrow(
        f"""UPDATE gateway.namespaces SET labels = $2, annotations = $3,
                   resource_version = nextval('gateway.resource_version')
            WHERE name = $1 RETURNING {_NS_COLUMNS}""",
        name,
        labels,
        annotations,
    )
    return _namespace(row) if row else None


async def delete_namespace(conn: asyncpg.Connection, name: str) -> bool:
    return bool(await conn.fetchval("DELETE FROM gateway.namespaces WHERE name = $1 RETURNING true", name))


async def count_deployments(conn: asyncpg.Connection, namespace: str) -> int:
    return int(await conn.fetchval("SELECT count(*) FROM gateway.deployments WHERE namespace = $1", namespace))


async def list_deployments(conn: asyncpg.Connection, namespace: str, kind: str) -> list[DeploymentRow]:
    rows = await conn.fetch(
        f"SELECT {_DEP_COLUMNS} FROM gateway.deployments WHERE namespace = $1 AND kind = $2 ORDER BY name",
        namespace,
        kind,
    )
    return [_deployment(r) for r in rows]


async def get_deployment(
    conn: asyncpg.Connection, namespace: str, name: str, *, for_update: bool = False
) -> DeploymentRow | None:
    lock = " FOR UPDATE" if for_update else ""
    row = await conn.fetchrow(
        f"SELECT {_DEP_COLUMNS} FROM gateway.deployments WHERE namespace = $1 AND name = $2{lock}", namespace, name
    )
    return _deployment(row) if row else None


async def insert_deployment(
    conn: asyncpg.Connection,
    *,
    namespace: str,
    name: str,
    kind: str,
    body: dict[str, Any],
    status: dict[str, Any],
    stable_predictor: dict[str, Any] | None,
) -> DeploymentRow | None:
    """The new row, or None when `namespace/name` is taken (by either kind)."""
    row = await conn.fetchrow(
        f"""INSERT INTO gateway.deployments (namespace, name, kind, uid, generation, resource_version,
                                             created_at, updated_at, body, status, stable_predictor)
            VALUES ($1, $2, $3, $4, 1, nextval('gateway.resource_version'), now(), now(), $5, $6, $7)
            ON CONFLICT (namespace, name) DO NOTHING RETURNING {_DEP_COLUMNS}""",
        namespace,
        name,
        kind,
        uuid.uuid4(),
        body,
        status,
        stable_predictor,
    )
    return _deployment(row) if row else None


async def update_deployment(
    conn: asyncpg.Connection,
    current: DeploymentRow,
    *,
    body: dict[str, Any],
    status: dict[str, Any],
    stable_predictor: dict[str, Any] | None,
    generation: int,
) -> DeploymentRow:
    row = await conn.fetchrow(
        f"""UPDATE gateway.deployments
            SET body = $3, status = $4, stable_predictor = $5, generation = $6,
                resource_version = nextval('gateway.resource_version'), updated_at = now()
            WHERE namespace = $1 AND name = $2 RETURNING {_DEP_COLUMNS}""",
        current.namespace,
        current.name,
        body,
        status,
        stable_predictor,
        generation,
    )
    assert row is not None, "caller holds the row lock"
    return _deployment(row)


async def delete_deployment(conn: asyncpg.Connection, namespace: str, name: str) -> None:
    await conn.execute("DELETE FROM gateway.deployments WHERE namespace = $1 AND name = $2", namespace, name)


async def set_status(
    conn: asyncpg.Connection, namespace: str, name: str, uid: str | None, status: dict[str, Any]
) -> bool:
    """Merge `status` into the deployment's (matching `uid` when given); False when there is no such deployment.

    Status is observed state, not part of the object's spec: it does not bump resourceVersion, so a client's
    read-modify-write is not refused just because the runtime reported progress in between.
    """
    try:
        uid_value = uuid.UUID(uid) if uid else None
    except ValueError:
        uid_value = None  # not a uid this service assigned: match by name only
    result = await conn.fetchval(
        """UPDATE gateway.deployments SET status = status || $4::jsonb
           WHERE namespace = $1 AND name = $2 AND ($3::uuid IS NULL OR uid = $3::uuid) RETURNING true""",
        namespace,
        name,
        uid_value,
        status,
    )
    return bool(result)
