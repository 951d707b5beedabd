"""The metadata service's core: catalog writes and reads, runtime metadata from deployment events, and the
model events it publishes. Transport-free: the HTTP routes and the bus consumer both call into this.

A write and its model event commit in one transaction (the event goes into the service's transactional
outbox); the outbox relay publishes it right after the commit. So a change is never saved without its event,
and an event never announces a change that was rolled back.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from pydantic import BaseModel

from warden_common import topics
from warden_common.db import Outbox
from warden_common.errors import BadRequest
from warden_common.events import MODEL_DELETED, MODEL_REGISTERED, MODEL_UPDATED, build_event
from warden_common.events.catalog import ModelDeleted, ModelRegistered, ModelUpdated
from warden_common.events.deployments import (
    DeploymentCreated,
    DeploymentDeleted,
    DeploymentStatusChanged,
    DeploymentUpdated,
)
from warden_metadata import pagination
from warden_metadata.errors import ModelConflict, ModelNotFound
from warden_metadata.query import QuerySyntaxError, SqlParams, compile_filter, parse_query
from warden_metadata.query.compiler import describe
from warden_metadata.repository import MetadataRepository, UniqueClash
from warden_metadata.runtime import placements, runtime_status
from warden_metadata.schemas import ModelIn
from warden_metadata.wire import model_doc_sql, model_json, parse_mask, runtime_json

logger = logging.getLogger(__name__)

SOURCE = "/warden/metadata"
RUNTIME_ACTOR = "metadata-runtime"

_EVENT_FIELDS = ("name", "version", "artifact_type", "task_type", "tags", "metrics", "prediction_schema", "project")


@dataclass
class ModelFilters:
    """The list endpoint's parameters (protocols.md §8). `query`, when given, replaces every other filter."""

    uri: str | None = None
    name: str | None = None
    version: str | None = None
    artifact_type: str | None = None
    task_type: str | None = None
    project: str | None = None
    default_protocol: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    query: str | None = None


@dataclass(frozen=True)
class ModelPage:
    """One page of the list: each model already rendered as V1Model JSON text (by PostgreSQL)."""

    models: list[str]
    next_page_token: str

    def to_json(self) -> str:
        return f'{{"models":[{",".join(self.models)}],"nextPageToken":{json.dumps(self.next_page_token)}}}'


@dataclass
class RuntimeFilters:
    model_uri: str | None = None
    deployment_uid: str | None = None
    deployment_name: str | None = None
    deployment_namespace: str | None = None
    deployment_status: str | None = None
    predictor_name: str | None = None
    node_name: str | None = None
    deployment_type: str | None = None


def _where(filters: ModelFilters, params: SqlParams) -> tuple[str, str]:
    """(SQL condition, canonical description for page tokens)."""
    if filters.query is not None and filters.query.strip():
        try:
            node = parse_query(filters.query)
        except QuerySyntaxError as exc:
            raise BadRequest(exc.args[0], code="invalid_query", details=exc.details()) from None
        return compile_filter(node, params), "q:" + describe(node)
    parts: list[str] = []
    described: list[tuple[str, Any]] = []
    plain: tuple[tuple[str, str | None], ...] = (
        ("m.uri", filters.uri),
        ("m.name", filters.name),
        ("m.version", filters.version),
        ("m.artifact_type", filters.artifact_type.upper() if filters.artifact_type else None),
        ("m.task_type", filters.task_type),
        ("m.project", filters.project),
    )
    for column, value in plain:
        if value:
            parts.append(f"{column} = {params.add(value)}::text")
            described.append((column, value))
    if filters.default_protocol:
        parts.append(f"m.runtime_defaults ->> 'defaultProtocol' = {params.add(filters.default_protocol)}::text")
        described.append(("defaultProtocol", filters.default_protocol))
    if filters.tags:
        parts.append(f"m.tags @> {params.add(filters.tags)}::jsonb")
        described.append(("tags", sorted(filters.tags.items())))
    for key, number in sorted(filters.metrics.items()):
        parts.append(f"(m.metrics ->> {params.add(key)}::text)::float8 = {params.add(number)}::float8")
        described.append((f"metrics[{key}]", number))
    if not parts:
        return "TRUE", "all"
    return " AND ".join(parts), "f:" + repr(described)


def _event_payload(row: Mapping[str, Any]) -> dict[str, Any]:
    payload = {name: row[name] for name in _EVENT_FIELDS}
    payload["uri"] = row["uri"]
    return payload


class MetadataService:
    def __init__(self, repository: MetadataRepository, outbox: Outbox) -> None:
        self.repository = repository
        self.outbox = outbox

    async def _record(self, conn: asyncpg.Connection, type_: str, payload: BaseModel, uri: str) -> None:
        """Put the model event into the outbox, in the transaction of the change it describes."""
        await self.outbox.enqueue(conn, build_event(type_, payload, source=SOURCE), topic=topics.MODELS, key=uri)

    # --- catalog --------------------------------------------------------------------------------------

    async def register(self, model: ModelIn, actor: str | None = None) -> dict[str, Any]:
        try:
            async with self.repository.transaction() as conn:
                row = await self.repository.insert_model(conn, model, actor)
                event = ModelRegistered(**_event_payload(row), actor=actor)
                await self._record(conn, MODEL_REGISTERED, event, row["uri"])
        except UniqueClash as clash:
            raise ModelConflict(clash.rule, model.model_dump(), clash.existing) from None
        return model_json(row)

    async def update(self, model: ModelIn, actor: str | None = None) -> dict[str, Any]:
        try:
            async with self.repository.transaction() as conn:
                result = await self.repository.replace_model(conn, model, actor)
                if result is None:
                    raise ModelNotFound(model.uri)
                before, after = result
                changed = [name for name in _EVENT_FIELDS if before[name] != after[name]]
                payload = ModelUpdated(**_event_payload(after), changed_fields=changed, actor=actor)
                await self._record(conn, MODEL_UPDATED, payload, after["uri"])
        except UniqueClash:
            existing = await self.repository.find_name_version(model.name, model.version)
            raise ModelConflict("name_version", model.model_dump(), existing) from None
        return model_json(after)

    async def delete(self, uri: str, project: str | None, actor: str | None = None) -> None:
        async with self.repository.transaction() as conn:
            row = await self.repository.delete_model(conn, uri, project or None)
            if row is None:
                raise ModelNotFound(uri, project)
            event = ModelDeleted(uri=row["uri"], project=row["project"], actor=actor)
            await self._record(conn, MODEL_DELETED, event, uri)

    async def list_models(
        self,
        filters: ModelFilters,
        *,
        order_by: str | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
        list_mask: str | None = None,
    ) -> ModelPage:
        keys = pagination.parse_order_by(order_by)
        limit = pagination.page_size(page_size)
        params = SqlParams()
        where, described = _where(filters, params)
        bound_to = pagination.fingerprint(described, order_by or "")
        if page_token:
            values, last_id = pagination.decode_token(page_token, bound_to, len(keys))
            where = f"({where}) AND {pagination.after_clause(keys, values, last_id, params)}"
        sort_columns = "".join(f", {key.expression} AS sort_{i}" for i, key in enumerate(keys))
        rows = await self.repository.list_models(
            select=f"m.id, {model_doc_sql(parse_mask(list_mask))} AS doc{sort_columns}",
            where=where,
            order=pagination.order_clause(keys),
            params=params.values,
            limit=limit + 1,
        )
        next_token = ""
        if len(rows) > limit:
            rows = rows[:limit]
            last = rows[-1]
            next_token = pagination.encode_token(bound_to, [last[f"sort_{i}"] for i in range(len(keys))], last["id"])
        return ModelPage([row["doc"] for row in rows], next_token)

    # --- runtime --------------------------------------------------------------------------------------

    async def list_runtime(
        self, filters: RuntimeFilters, *, page_size: int | None = None, page_token: str | None = None
    ) -> dict[str, Any]:
        limit = pagination.page_size(page_size)
        params = SqlParams()
        given = sorted((column, value) for column, value in vars(filters).items() if value)
        # Column names come from RuntimeFilters' own fields, never from the request.
        parts = [f"r.{column} = {params.add(value)}::text" for column, value in given]
        bound_to = pagination.fingerprint("runtime", repr(given))
        if page_token:
            _, last_id = pagination.decode_token(page_token, bound_to, 0)
            parts.append(f"r.id > {params.add(last_id)}")
        rows = await self.repository.list_runtime(" AND ".join(parts) or "TRUE", params.values, limit + 1)
        next_token = ""
        if len(rows) > limit:
            rows = rows[:limit]
            next_token = pagination.encode_token(bound_to, [], rows[-1]["id"])
        return {"runtimeMetadata": [runtime_json(row) for row in rows], "nextPageToken": next_token}

    async def apply_deployment_event(self, payload: BaseModel) -> None:
        """Keep the runtime table in step with one deployment event (idempotent: replays are harmless)."""
        if not isinstance(payload, DeploymentCreated | DeploymentUpdated | DeploymentDeleted | DeploymentStatusChanged):
            return
        deployment = (payload.namespace, payload.name, payload.kind)
        if isinstance(payload, DeploymentDeleted):
            removed = await self.repository.delete_placements(deployment)
            logger.info("deployment %s/%s deleted: %d runtime rows removed", payload.namespace, payload.name, removed)
            return
        if isinstance(payload, DeploymentStatusChanged):
            await self.repository.set_status(deployment, payload.uid, runtime_status(payload.status))
            return
        found = placements(payload.kind, payload.spec, payload.predictors)
        status = runtime_status(payload.status)
        async with self.repository.transaction() as conn:
            added = await self.repository.replace_placements(conn, deployment, payload.uid, status, found)
            # Sorted: enqueue locks each key until commit, and a stable order keeps two such writers deadlock-free.
            for row in sorted(added, key=lambda r: str(r["uri"])):
                event = ModelRegistered(**_event_payload(row), actor=RUNTIME_ACTOR)
                await self._record(conn, MODEL_REGISTERED, event, row["uri"])
        for row in added:
            logger.info("model %s found in deployment %s/%s: registered", row["uri"], payload.namespace, payload.name)
