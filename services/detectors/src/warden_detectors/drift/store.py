"""Drift results in PostgreSQL (`warden_detectors.drift_results`, migration 0002) and the timeline query."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

import asyncpg

from warden_common.events.deployments import DeploymentKind
from warden_common.logstore.paging import bad_token, decode_token, encode_token
from warden_detectors.drift.result import DriftResult

_COLUMNS = (
    "window_start", "window_end", "rows", "algorithm", "drift_type", "skipped", "is_drift", "p_val", "distance",
    "threshold", "distance_threshold", "feature_is_drift", "feature_threshold", "feature_names", "data_type",
    "version",
)  # fmt: skip
_RESULT_FIELDS = {f.name for f in fields(DriftResult)}

_INSERT = f"""
INSERT INTO warden_detectors.drift_results (namespace, deployment_kind, deployment, detector, {", ".join(_COLUMNS)})
VALUES ($1, $2, $3, $4, {", ".join(f"${i}" for i in range(5, 5 + len(_COLUMNS)))})
"""
# `after` is the keyset of the previous page's last window: (window_end, id) strictly greater.
_TIMELINE = f"""
SELECT id, detector, {", ".join(_COLUMNS)}
FROM warden_detectors.drift_results
WHERE namespace = $1 AND deployment_kind = $2 AND deployment = $3 AND detector = $4
  AND ($5::timestamptz IS NULL OR window_end >= $5)
  AND ($6::timestamptz IS NULL OR window_end < $6)
  AND ($7::timestamptz IS NULL OR (window_end, id) > ($7, $8::bigint))
ORDER BY window_end, id
LIMIT $9
"""
_DELETE = """
DELETE FROM warden_detectors.drift_results
WHERE namespace = $1 AND deployment_kind = $2 AND deployment = $3 AND detector = $4
"""


@dataclass(frozen=True)
class TimelinePage:
    windows: list[DriftResult]
    next_page_token: str | None


class DriftResultsStore:
    """Saves drift results and reads a detector's timeline; `pool` from `warden_common.db.open_pool` (its
    connections encode and decode jsonb as Python values)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def save(self, namespace: str, kind: str, deployment: str, detector: str, result: DriftResult) -> None:
        values = [getattr(result, column) for column in _COLUMNS]
        await self.pool.execute(_INSERT, namespace, kind, deployment, detector, *values)

    async def timeline(
        self,
        namespace: str,
        kind: DeploymentKind,
        deployment: str,
        detector: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        page_size: int = 100,
        page_token: str | None = None,
    ) -> TimelinePage:
        """Windows that closed in [start, end), oldest first; `BadRequest` for a page token not made here."""
        after_end, after_id = _keyset(page_token) if page_token else (None, None)
        rows = await self.pool.fetch(
            _TIMELINE, namespace, kind, deployment, detector, start, end, after_end, after_id, page_size + 1
        )
        windows = [_result(row) for row in rows[:page_size]]
        token = None
        if len(rows) > page_size:
            last = rows[page_size - 1]
            token = encode_token([last["window_end"].isoformat(), last["id"]])
        return TimelinePage(windows, token)

    async def delete(self, namespace: str, kind: DeploymentKind, deployment: str, detector: str) -> int:
        """Forget a detector's results (when the detector is deleted); how many windows were removed."""
        status = await self.pool.execute(_DELETE, namespace, kind, deployment, detector)
        return int(status.split()[-1])


def _keyset(token: str) -> tuple[datetime, int]:
    key = decode_token(token)
    try:
        window_end, row_id = key
        if not isinstance(row_id, int) or isinstance(row_id, bool):
            raise ValueError(row_id)
        return datetime.fromisoformat(window_end), row_id
    except (TypeError, ValueError):
        raise bad_token(token) from None


def _result(row: asyncpg.Record) -> DriftResult:
    values: dict[str, Any] = {key: value for key, value in row.items() if key in _RESULT_FIELDS}
    return DriftResult(**values)
