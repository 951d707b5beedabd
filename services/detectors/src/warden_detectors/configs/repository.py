"""Detector configs in PostgreSQL (`warden_detectors.detector_configs`)."""

from __future__ import annotations

from typing import Any

import asyncpg

from warden_detectors.configs.model import DeploymentRef, DetectorKey, KindName, StoredDetector

_COLUMNS = "namespace, deployment_kind, deployment_name, kind, name, detector_type, config, updated_at"


def _row(record: asyncpg.Record) -> StoredDetector:
    deployment = DeploymentRef(record["namespace"], record["deployment_kind"], record["deployment_name"])
    key = DetectorKey(deployment, record["kind"], record["name"])
    return StoredDetector(key, record["detector_type"], record["config"], record["updated_at"])


class DetectorConfigRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def insert(self, key: DetectorKey, detector_type: str, config: dict[str, Any]) -> StoredDetector | None:
        """The stored detector, or None when one of that name already exists."""
        d = key.deployment
        record = await self._pool.fetchrow(
            f"""INSERT INTO warden_detectors.detector_configs
                    (namespace, deployment_kind, deployment_name, kind, name, detector_type, config)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                ON CONFLICT DO NOTHING RETURNING {_COLUMNS}""",
            d.namespace, d.kind, d.name, key.kind, key.name, detector_type, config,
        )  # fmt: skip
        return _row(record) if record is not None else None

    async def get(self, key: DetectorKey) -> StoredDetector | None:
        d = key.deployment
        record = await self._pool.fetchrow(
            f"""SELECT {_COLUMNS} FROM warden_detectors.detector_configs
                WHERE namespace = $1 AND deployment_kind = $2 AND deployment_name = $3 AND kind = $4 AND name = $5""",
            d.namespace, d.kind, d.name, key.kind, key.name,
        )  # fmt: skip
        return _row(record) if record is not None else None

    async def of_deployment(self, deployment: DeploymentRef, kind: KindName) -> list[StoredDetector]:
        records = await self._pool.fetch(
            f"""SELECT {_COLUMNS} FROM warden_detectors.detector_configs
                WHERE namespace = $1 AND deployment_kind = $2 AND deployment_name = $3 AND kind = $4
                ORDER BY name""",
            deployment.namespace, deployment.kind, deployment.name, kind,
        )  # fmt: skip
        return [_row(r) for r in records]

    async def all(self) -> list[StoredDetector]:
        records = await self._pool.fetch(f"SELECT {_COLUMNS} FROM warden_detectors.detector_configs")
        return [_row(r) for r in records]

    async def delete(self, key: DetectorKey) -> bool:
        d = key.deployment
        status = await self._pool.execute(
            """DELETE FROM warden_detectors.detector_configs
               WHERE namespace = $1 AND deployment_kind = $2 AND deployment_name = $3 AND kind = $4 AND name = $5""",
            d.namespace, d.kind, d.name, key.kind, key.name,
        )  # fmt: skip
        return bool(status == "DELETE 1")
