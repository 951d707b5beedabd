"""Storage of the catalog and runtime tables (schema `warden_metadata`), on an asyncpg pool.

Writes that announce themselves with an event take the caller's connection, inside `transaction()`, so the
service records the event in the outbox in the same transaction as the write.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from warden_metadata.runtime import Placement
from warden_metadata.schemas import ModelIn
from warden_metadata.wire import stored_prediction_schema

MODELS = "warden_metadata.models"
RUNTIME = "warden_metadata.runtime_metadata"

_MODEL_COLUMNS = (
    "id, uri, name, version, artifact_type, task_type, tags, metrics, prediction_schema, project, "
    "runtime_defaults, created_at, updated_at, created_by, updated_by"
)


class UniqueClash(Exception):
    """A write hit one of the catalog's uniqueness rules; `existing` is the model it clashed with (if still there)."""

    def __init__(self, rule: str, existing: asyncpg.Record | None) -> None:
        super().__init__(rule)
        self.rule = rule
        self.existing = existing


def _values(model: ModelIn) -> list[Any]:
    return [
        model.uri,
        model.name,
        model.version,
        str(model.artifact_type),
        model.task_type,
        model.tags,
        model.metrics,
        stored_prediction_schema(model.prediction_schema) if model.prediction_schema is not None else None,
        model.project_or_default(),
        model.runtime_defaults.model_dump(mode="json", by_alias=True, exclude_none=True)
        if model.runtime_defaults is not None
        else None,
    ]


class MetadataRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        """A connection in a transaction: committed when the block ends, rolled back when it raises."""
        async with self.pool.acquire() as conn, conn.transaction():
            yield conn

    async def _clash(self, conn: asyncpg.Connection, exc: asyncpg.UniqueViolationError, model: ModelIn) -> UniqueClash:
        if exc.constraint_name == "models_name_version_key":
            existing = await conn.fetchrow(
                f"SELECT {_MODEL_COLUMNS} FROM {MODELS} WHERE name = $1 AND version = $2", model.name, model.version
            )
            return UniqueClash("name_version", existing)
        existing = await conn.fetchrow(f"SELECT {_MODEL_COLUMNS} FROM {MODELS} WHERE uri = $1", model.uri)
        return UniqueClash("uri", existing)

    async def insert_model(self, conn: asyncpg.Connection, model: ModelIn, actor: str | None) -> asyncpg.Record:
        try:
            # A savepoint: after a clash the caller's transaction must still run the query that finds the rival.
            async with conn.transaction():
                row: asyncpg.Record = await conn.fetchrow(
                    f"""INSERT INTO {MODELS} (uri, name, version, artifact_type, task_type, tags, metrics,
                            prediction_schema, project, runtime_defaults, created_by, updated_by)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING {_MODEL_COLUMNS}""",
                    *_values(model),
                    actor,
                )
        except asyncpg.UniqueViolationError as exc:
            raise await self._clash(conn, exc, model) from exc
        return row

    async def replace_model(
        self, conn: asyncpg.Connection, model: ModelIn, actor: str | None
    ) -> tuple[asyncpg.Record, asyncpg.Record] | None:
        """(before, after) of the entry with `model.uri`, all its fields replaced; None if there is none.

        A clash aborts the caller's transaction: look the rival up after it rolled back (`find_name_version`)."""
        before = await conn.fetchrow(f"SELECT {_MODEL_COLUMNS} FROM {MODELS} WHERE uri = $1 FOR UPDATE", model.uri)
        if before is None:
            return None
        try:
            after = await conn.fetchrow(
                f"""UPDATE {MODELS} SET name = $2, version = $3, artifact_type = $4, task_type = $5, tags = $6,
                        metrics = $7, prediction_schema = $8, project = $9, runtime_defaults = $10,
                        updated_at = now(), updated_by = $11
                    WHERE uri = $1 RETURNING {_MODEL_COLUMNS}""",
                *_values(model),
                actor,
            )
        except asyncpg.UniqueViolationError as exc:
            raise UniqueClash("name_version", None) from exc
        return before, after

    async def find_name_version(self, name: str | None, version: str | None) -> asyncpg.Record | None:
        row: asyncpg.Record | None = await self.pool.fetchrow(
            f"SELECT {_MODEL_COLUMNS} FROM {MODELS} WHERE name = $1 AND version = $2", name, version
        )
        return row

    async def delete_model(self, conn: asyncpg.Connection, uri: str, project: str | None) -> asyncpg.Record | None:
        row: asyncpg.Record | None = await conn.fetchrow(
            f"DELETE FROM {MODELS} WHERE uri = $1 AND ($2::text IS NULL OR project = $2) RETURNING {_MODEL_COLUMNS}",
            uri,
            project,
        )
        return row

    async def list_models(
        self, *, select: str, where: str, order: str, params: Sequence[Any], limit: int
    ) -> list[asyncpg.Record]:
        """`select` (over alias `m`) of the rows matching the compiled `where` (placeholders $1..$n), in `order`."""
        limit_placeholder = f"${len(params) + 1}"
        sql = f"SELECT {select} FROM {MODELS} m WHERE {where} ORDER BY {order} LIMIT {limit_placeholder}"
        rows: list[asyncpg.Record] = await self.pool.fetch(sql, *params, limit)
        return rows

    # --- runtime -----------------------------------------------------------------------------------------

    async def replace_placements(
        self,
        conn: asyncpg.Connection,
        deployment: tuple[str, str, str],
        uid: str | None,
        status: str,
        placements: Sequence[Placement],
    ) -> list[asyncpg.Record]:
        """Make the deployment's rows exactly `placements`; auto-register unknown URIs. Returns models added."""
        namespace, name, kind = deployment
        await conn.execute(
            f"""DELETE FROM {RUNTIME} WHERE deployment_namespace = $1 AND deployment_name = $2
                AND deployment_type = $3
                AND (predictor_name, node_name, model_uri) NOT IN (
                    SELECT * FROM unnest($4::text[], $5::text[], $6::text[]))""",
            namespace,
            name,
            kind,
            [p.predictor_name for p in placements],
            [p.node_name for p in placements],
            [p.model_uri for p in placements],
        )
        await conn.executemany(
            f"""INSERT INTO {RUNTIME} (deployment_namespace, deployment_name, deployment_type, deployment_uid,
                    predictor_name, node_name, model_uri, deployment_status, traffic, shadow, explainer)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                ON CONFLICT ON CONSTRAINT runtime_metadata_placement_key DO UPDATE SET
                    deployment_uid = COALESCE(EXCLUDED.deployment_uid, {RUNTIME}.deployment_uid),
                    deployment_status = EXCLUDED.deployment_status, traffic = EXCLUDED.traffic,
                    shadow = EXCLUDED.shadow, explainer = EXCLUDED.explainer, updated_at = now()""",
            [
                (namespace, name, kind, uid, p.predictor_name, p.node_name, p.model_uri, status, *p.flags)
                for p in placements
            ],
        )
        added: list[asyncpg.Record] = await conn.fetch(
            f"""INSERT INTO {MODELS} (uri, name, artifact_type)
                SELECT DISTINCT ON (uri) uri, name, artifact_type
                FROM unnest($1::text[], $2::text[], $3::text[]) AS p(uri, name, artifact_type)
                ORDER BY uri
                ON CONFLICT DO NOTHING RETURNING {_MODEL_COLUMNS}""",
            [p.model_uri for p in placements],
            [p.node_name for p in placements],
            [p.artifact_type for p in placements],
        )
        return added

    async def delete_placements(self, deployment: tuple[str, str, str]) -> int:
        namespace, name, kind = deployment
        result: str = await self.pool.execute(
            f"""DELETE FROM {RUNTIME}
                WHERE deployment_namespace = $1 AND deployment_name = $2 AND deployment_type = $3""",
            namespace,
            name,
            kind,
        )
        return int(result.split()[-1])

    async def set_status(self, deployment: tuple[str, str, str], uid: str | None, status: str) -> int:
        namespace, name, kind = deployment
        result: str = await self.pool.execute(
            f"""UPDATE {RUNTIME} SET deployment_status = $4,
                    deployment_uid = COALESCE($5, deployment_uid), updated_at = now()
                WHERE deployment_namespace = $1 AND deployment_name = $2 AND deployment_type = $3""",
            namespace,
            name,
            kind,
            status,
            uid,
        )
        return int(result.split()[-1])

    async def list_runtime(self, where: str, params: Sequence[Any], limit: int) -> list[asyncpg.Record]:
        """Runtime rows (alias `r`) with their catalog entry's columns prefixed `model_`, by id."""
        sql = f"""SELECT r.*, m.id AS model_id, m.uri AS model_uri_, m.name AS model_name, m.version AS model_version,
                    m.artifact_type AS model_artifact_type, m.task_type AS model_task_type, m.tags AS model_tags,
                    m.metrics AS model_metrics, m.prediction_schema AS model_prediction_schema,
                    m.project AS model_project, m.runtime_defaults AS model_runtime_defaults,
                    m.created_at AS model_created_at
                FROM {RUNTIME} r LEFT JOIN {MODELS} m ON m.uri = r.model_uri
                WHERE {where} ORDER BY r.id LIMIT ${len(params) + 1}"""
        rows: list[asyncpg.Record] = await self.pool.fetch(sql, *params, limit)
        return rows
