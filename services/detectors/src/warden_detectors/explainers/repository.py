"""Explainer specs and explanations in PostgreSQL (migration 0004_explanations.sql)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from warden_common.explainers import ExplainerSpec


@dataclass(frozen=True)
class DeploymentKey:
    namespace: str
    kind: str
    deployment: str


@dataclass(frozen=True)
class StoredExplainer:
    spec: ExplainerSpec
    source: str
    updated_at: datetime

    def wire(self) -> dict[str, Any]:
        return {**self.spec.wire(), "source": self.source, "updatedAt": self.updated_at.isoformat()}


class ExplanationsRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def put_explainer(self, key: DeploymentKey, spec: ExplainerSpec, source: str) -> StoredExplainer:
        row = await self._pool.fetchrow(
            """INSERT INTO detectors_explainers (namespace, kind, deployment, spec, source)
               VALUES ($1, $2, $3, $4::jsonb, $5)
               ON CONFLICT (namespace, kind, deployment)
               DO UPDATE SET spec = EXCLUDED.spec, source = EXCLUDED.source, updated_at = now()
               RETURNING updated_at""",
            key.namespace, key.kind, key.deployment, json.dumps(spec.wire()), source,
        )  # fmt: skip
        return StoredExplainer(spec, source, row["updated_at"])

    async def get_explainer(self, key: DeploymentKey) -> StoredExplainer | None:
        row = await self._pool.fetchrow(
            "SELECT spec, source, updated_at FROM detectors_explainers"
            " WHERE namespace = $1 AND kind = $2 AND deployment = $3",
            key.namespace, key.kind, key.deployment,
        )  # fmt: skip
        if row is None:
            return None
        return StoredExplainer(ExplainerSpec.model_validate(json.loads(row["spec"])), row["source"], row["updated_at"])

    async def delete_explainer(self, key: DeploymentKey, source: str | None = None) -> bool:
        """Remove the explainer (only if it came from `source`, when given); True if there was one."""
        status = await self._pool.execute(
            "DELETE FROM detectors_explainers WHERE namespace = $1 AND kind = $2 AND deployment = $3"
            " AND ($4::text IS NULL OR source = $4)",
            key.namespace, key.kind, key.deployment, source,
        )  # fmt: skip
        return bool(status.endswith(" 1"))

    async def start_explanation(
        self, key: DeploymentKey, explainer_type: str, request_id: str | None, instance: int
    ) -> str:
        explanation_id = str(uuid.uuid4())
        await self._pool.execute(
            """INSERT INTO detectors_explanations
               (id, namespace, kind, deployment, request_id, instance, explainer_type, status)
               VALUES ($1, $2, $3, $4, $5, $6, $7, 'running')""",
            explanation_id, key.namespace, key.kind, key.deployment, request_id, instance, explainer_type,
        )  # fmt: skip
        return explanation_id

    async def finish(self, explanation_id: str, result: dict[str, Any] | None, error: dict[str, Any] | None) -> None:
        await self._pool.execute(
            """UPDATE detectors_explanations SET status = $2, result = $3::jsonb, error = $4::jsonb,
               finished_at = now() WHERE id = $1""",
            explanation_id, "failed" if error is not None else "succeeded",
            None if result is None else json.dumps(result), None if error is None else json.dumps(error),
        )  # fmt: skip

    async def interrupt_stale(self, older_than_s: float) -> int:
        """Explanations still `running` this long after they started were lost with the process that ran them (no
        live worker runs past its timeout, whichever replica it is on); say so."""
        error = {"code": 503, "reason": "explanation_interrupted",
                 "message": "the service stopped while this explanation ran; ask for it again"}  # fmt: skip
        status = await self._pool.execute(
            "UPDATE detectors_explanations SET status = 'failed', error = $1::jsonb, finished_at = now()"
            " WHERE status = 'running' AND created_at < now() - make_interval(secs => $2)",
            json.dumps(error), older_than_s,
        )  # fmt: skip
        return int(status.split()[-1])

    async def get(self, key: DeploymentKey, explanation_id: str) -> dict[str, Any] | None:
        row = await self._pool.fetchrow(
            "SELECT * FROM detectors_explanations WHERE id = $1 AND namespace = $2 AND kind = $3 AND deployment = $4",
            explanation_id, key.namespace, key.kind, key.deployment,
        )  # fmt: skip
        return None if row is None else _wire(row)

    async def of_request(self, key: DeploymentKey, request_id: str) -> list[dict[str, Any]]:
        rows = await self._pool.fetch(
            "SELECT * FROM detectors_explanations WHERE namespace = $1 AND kind = $2 AND deployment = $3"
            " AND request_id = $4 ORDER BY created_at DESC LIMIT 100",
            key.namespace, key.kind, key.deployment, request_id,
        )  # fmt: skip
        return [_wire(row) for row in rows]


def _wire(row: asyncpg.Record) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(row["id"]), "status": row["status"], "namespace": row["namespace"], "kind": row["kind"],
        "deployment": row["deployment"], "requestId": row["request_id"], "instance": row["instance"],
        "explainerType": row["explainer_type"], "createdAt": row["created_at"].isoformat(),
        "finishedAt": row["finished_at"].isoformat() if row["finished_at"] else None,
    }  # fmt: skip
    if row["result"] is not None:
        body["explanation"] = json.loads(row["result"])
    if row["error"] is not None:
        body["error"] = json.loads(row["error"])
    return body
