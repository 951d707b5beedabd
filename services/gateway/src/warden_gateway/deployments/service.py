"""Deployment CRUD: validate, store, and record the lifecycle event in the same transaction.

Each change runs in one transaction holding the deployment's row lock, and its event goes into the gateway's
transactional outbox inside it: the change and its event commit together or not at all (no state without its
event, no event without its state). The API answers after the commit; the outbox relay publishes the event
right after (milliseconds), and the events of one deployment leave in the order its changes were made, which
is the order the runtime must apply them.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import asyncpg

from warden_common import topics
from warden_common.db import Outbox
from warden_common.errors import Conflict, NotFound
from warden_common.events import DEPLOYMENT_CREATED, DEPLOYMENT_DELETED, DEPLOYMENT_UPDATED, build_event
from warden_common.events.deployments import DeploymentCreated, DeploymentDeleted, DeploymentUpdated
from warden_gateway import repository as repo
from warden_gateway.deployments.audit import GitRecorder
from warden_gateway.deployments.isvc_canary import canary_active, predictor_of, stable_after, without_percent
from warden_gateway.deployments.kinds import DeploymentKind
from warden_gateway.deployments.summary import summaries
from warden_gateway.deployments.validation import normalize

logger = logging.getLogger(__name__)

EVENT_SOURCE = "/warden/gateway"
CREATING = "Creating"

Transform = Callable[[dict[str, Any]], dict[str, Any]]
"""A rollout: the current object (with status) -> the new object, or a `WardenError` when it does not apply."""


@dataclass(frozen=True)
class Change:
    """Who made a change and why: carried into the lifecycle event and the change's commit."""

    actor: str = "anonymous"
    comment: str | None = None
    summary: str | None = None
    """What the change does, e.g. "Canary added": the commit message when there is no comment."""
    record: bool = True
    """False for a change that comes from git (already committed there)."""

    def message(self, default: str) -> str:
        return self.comment or self.summary or default


def event_key(namespace: str, name: str) -> str:
    return f"{namespace}/{name}"


def _spec_part(body: dict[str, Any]) -> dict[str, Any]:
    """What bumps `generation`: everything but metadata (status is never stored in the body)."""
    return {k: v for k, v in body.items() if k != "metadata"}


class DeploymentService:
    def __init__(self, pool: asyncpg.Pool, outbox: Outbox, recorder: GitRecorder | None = None) -> None:
        self._pool = pool
        self._outbox = outbox
        self._recorder = recorder

    async def _commit(
        self, conn: asyncpg.Connection, namespace: str, name: str, obj: dict[str, Any] | None, change: Change, what: str
    ) -> None:
        """Commit the change first (see `audit`): a failure raises and rolls the caller's transaction back."""
        if self._recorder is None or not change.record:
            return
        row = await repo.get_namespace(conn, namespace)
        if row is None:
            raise NotFound(f"namespace {namespace!r} not found")
        await self._recorder.record(row, name, obj, change.actor, change.message(what))

    async def _require_namespace(self, conn: asyncpg.Connection, namespace: str) -> None:
        if await repo.get_namespace(conn, namespace) is None:
            raise NotFound(f"namespace {namespace!r} not found; create it with POST /namespaces")

    async def _require(
        self, conn: asyncpg.Connection, kind: DeploymentKind, namespace: str, name: str, *, for_update: bool = False
    ) -> repo.DeploymentRow:
        row = await repo.get_deployment(conn, namespace, name, for_update=for_update)
        if row is None or row.kind != kind.kind:
            await self._require_namespace(conn, namespace)
            other = f" (there is an {row.kind} of that name)" if row is not None else ""
            raise NotFound(f"{kind.kind} {name!r} not found in namespace {namespace!r}{other}")
        return row

    async def list(self, kind: DeploymentKind, namespace: str) -> list[dict[str, Any]]:
        async with self._pool.acquire() as conn:
            await self._require_namespace(conn, namespace)
            return [row.to_object() for row in await repo.list_deployments(conn, namespace, kind.kind)]

    async def get(self, kind: DeploymentKind, namespace: str, name: str) -> dict[str, Any]:
        async with self._pool.acquire() as conn:
            return (await self._require(conn, kind, namespace, name)).to_object()

    async def current(self, namespace: str, name: str) -> dict[str, Any] | None:
        """The deployment of either kind named `name`, or None."""
        async with self._pool.acquire() as conn:
            row = await repo.get_deployment(conn, namespace, name)
            return row.to_object() if row is not None else None

    async def exists(self, kind: DeploymentKind, namespace: str, name: str) -> repo.DeploymentRow:
        async with self._pool.acquire() as conn:
            return await self._require(conn, kind, namespace, name)

    async def create(self, kind: DeploymentKind, namespace: str, body: Any, change: Change) -> dict[str, Any]:
        obj = normalize(kind, body, namespace)
        name = obj["metadata"]["name"]
        stored = _with_namespace(repo.strip_managed(obj), namespace)
        async with self._pool.acquire() as conn, conn.transaction():
            await self._require_namespace(conn, namespace)
            try:
                row = await repo.insert_deployment(
                    conn,
                    namespace=namespace,
                    name=name,
                    kind=kind.kind,
                    body=stored,
                    status={"state": CREATING, "description": "waiting for the runtime to start the predictors"},
                    stable_predictor=None,
                )
            except asyncpg.ForeignKeyViolationError:
                raise NotFound(f"namespace {namespace!r} was deleted meanwhile") from None
            if row is None:
                taken = await repo.get_deployment(conn, namespace, name)
                what = taken.kind if taken else "deployment"
                raise Conflict(f"a {what} named {name!r} already exists in namespace {namespace!r}")
            await self._commit(conn, namespace, name, row.to_object(), change, f"{kind.kind} created")
            await self._record_upsert(conn, row, change, created=True)
        logger.info("deployment created", extra={"namespace": namespace, "deployment": name, "actor": change.actor})
        return row.to_object()

    async def replace(
        self, kind: DeploymentKind, namespace: str, name: str, body: Any, change: Change
    ) -> dict[str, Any]:
        obj = normalize(kind, body, namespace, name)
        expected = obj["metadata"].get("resourceVersion")
        async with self._pool.acquire() as conn, conn.transaction():
            row = await self._require(conn, kind, namespace, name, for_update=True)
            if expected is not None and str(expected) != str(row.resource_version):
                raise Conflict(
                    f"{kind.kind} {namespace}/{name} was changed since you read it (resourceVersion {expected} is "
                    f"stale, current is {row.resource_version}); read it again and reapply your change",
                    code="stale_resource_version",
                )
            updated = await self._write(conn, row, obj, change)
        return updated.to_object()

    async def transform(
        self, kind: DeploymentKind, namespace: str, name: str, transform: Transform, change: Change
    ) -> dict[str, Any]:
        """Apply a rollout to the current object and store the result through the same checks as PUT."""
        async with self._pool.acquire() as conn, conn.transaction():
            row = await self._require(conn, kind, namespace, name, for_update=True)
            obj = normalize(kind, transform(copy.deepcopy(row.to_object())), namespace, name)
            updated = await self._write(conn, row, obj, change)
        return updated.to_object()

    async def delete(
        self, kind: DeploymentKind, namespace: str, name: str, change: Change, expected_version: str | None = None
    ) -> dict[str, Any]:
        """`expected_version`: delete only that resourceVersion (else a `stale_resource_version` 409)."""
        async with self._pool.acquire() as conn, conn.transaction():
            row = await self._require(conn, kind, namespace, name, for_update=True)
            if expected_version is not None and expected_version != str(row.resource_version):
                raise Conflict(
                    f"{kind.kind} {namespace}/{name} was changed meanwhile (resourceVersion {row.resource_version})",
                    code="stale_resource_version",
                )
            await repo.delete_deployment(conn, namespace, name)
            await self._commit(conn, namespace, name, None, change, f"{row.kind} deleted")
            payload = DeploymentDeleted(
                namespace=namespace,
                name=name,
                kind=row.kind,
                uid=str(row.uid),
                actor=change.actor,
                comment=change.comment,
            )
            await self._outbox.enqueue(
                conn,
                build_event(DEPLOYMENT_DELETED, payload, source=EVENT_SOURCE),
                topic=topics.DEPLOYMENTS,
                key=event_key(namespace, name),
            )
        logger.info("deployment deleted", extra={"namespace": namespace, "deployment": name, "actor": change.actor})
        return {"code": 200, "message": f"{row.kind} {namespace}/{name} deleted"}

    async def _write(
        self, conn: asyncpg.Connection, row: repo.DeploymentRow, obj: dict[str, Any], change: Change
    ) -> repo.DeploymentRow:
        body = _with_namespace(repo.strip_managed(obj), row.namespace)
        changed = _spec_part(body) != _spec_part(row.body)
        generation = row.generation + 1 if changed else row.generation
        status = dict(row.status)
        if changed:
            status.update(state=CREATING, description=f"generation {generation} submitted to the runtime")
        stable = None
        if row.kind == "InferenceService":
            previous = row.stable_predictor or without_percent(predictor_of(row.body))
            candidate = stable_after(previous, body)
            stable = candidate if canary_active(body, candidate) else None
        updated = await repo.update_deployment(
            conn, row, body=body, status=status, stable_predictor=stable, generation=generation
        )
        if body != row.body:
            await self._commit(conn, row.namespace, row.name, updated.to_object(), change, f"{row.kind} updated")
        await self._record_upsert(conn, updated, change, created=False)
        logger.info(
            "deployment updated",
            extra={"namespace": row.namespace, "deployment": row.name, "generation": generation, "actor": change.actor},
        )
        return updated

    async def _record_upsert(
        self, conn: asyncpg.Connection, row: repo.DeploymentRow, change: Change, *, created: bool
    ) -> None:
        obj = row.to_object()
        fields: dict[str, Any] = {
            "namespace": row.namespace,
            "name": row.name,
            "kind": row.kind,
            "uid": str(row.uid),
            "spec": obj,
            "predictors": summaries(row.kind, obj, row.stable_predictor),
            "status": row.status.get("state"),
            "actor": change.actor,
            "comment": change.comment,
        }
        payload = DeploymentCreated(**fields) if created else DeploymentUpdated(**fields)
        event = build_event(DEPLOYMENT_CREATED if created else DEPLOYMENT_UPDATED, payload, source=EVENT_SOURCE)
        await self._outbox.enqueue(conn, event, topic=topics.DEPLOYMENTS, key=event_key(row.namespace, row.name))


def _with_namespace(obj: dict[str, Any], namespace: str) -> dict[str, Any]:
    return {**obj, "metadata": {**obj["metadata"], "namespace": namespace}}
