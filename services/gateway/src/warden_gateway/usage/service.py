"""Samples the serving service's `/api/v1alpha1/runtime/usage` every `interval_s` into `gateway.usage_samples`
(deleting what is past the retention), and answers usage queries from there.

Where the numbers come from: Warden's own serving runtime (MLServer processes, psutil), in standalone and in
distributed mode alike. Deployments executed by Seldon Core / KServe on Kubernetes are not sampled: their
numbers would come from Prometheus' container metrics, which this does not query yet.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from typing import Any

import asyncpg

from warden_common.upstreams import SERVICE_API_PREFIX, Upstreams
from warden_gateway.deployments.kinds import BY_KIND
from warden_gateway.repository import rfc3339
from warden_gateway.usage import repository as repo
from warden_gateway.usage.settings import UsageSettings

logger = logging.getLogger(__name__)

SERVING = "serving"


class UsageService:
    def __init__(self, pool: asyncpg.Pool, upstreams: Upstreams | None, settings: UsageSettings) -> None:
        self._pool = pool
        self._upstreams = upstreams
        self._settings = settings
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if not self._settings.enabled:
            return
        if self._upstreams is None or not self._upstreams.configured(SERVING):
            logger.warning("no serving service configured (WARDEN_GATEWAY_UPSTREAMS__SERVING): usage is not sampled")
            return
        self._task = asyncio.create_task(self._sample_forever(), name="usage-sampler")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def sample_once(self) -> int:
        """Take one sample of every predictor; how many rows were written."""
        assert self._upstreams is not None
        answer = await self._upstreams.send(SERVING, "GET", SERVICE_API_PREFIX + "/runtime/usage")
        answer.raise_for_status()
        samples = [  # the runtime says `SeldonDeployment`; the API's paths (and these rows) the plural
            {**sample, "kind": BY_KIND[sample["kind"]].plural if sample["kind"] in BY_KIND else sample["kind"]}
            for sample in answer.json()["usage"]
        ]
        async with self._pool.acquire() as conn, conn.transaction():
            await repo.insert_samples(conn, datetime.now(UTC), samples)
            await repo.delete_older_than(conn, self._settings.retention_hours)
        return len(samples)

    async def _sample_forever(self) -> None:
        while True:
            try:
                await self.sample_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a sample missed is logged; the next one is tried
                logger.warning("usage sample failed: %r", exc)
            await asyncio.sleep(self._settings.interval_s)

    async def query(self, *, start: datetime, end: datetime, step_s: float, namespace: str | None = None,
                    kind: str | None = None, deployment: str | None = None) -> dict[str, Any]:  # fmt: skip
        async with self._pool.acquire() as conn:
            rows = await repo.buckets(conn, start=start, end=end, step_s=step_s, namespace=namespace, kind=kind,
                                      deployment=deployment)  # fmt: skip
        series: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        totals: dict[datetime, list[float]] = {}
        for row in rows:
            point = {"time": rfc3339(row["bucket"]), "processes": round(row["processes"], 3),
                     "cpuCores": round(row["cpu_cores"], 4), "memoryBytes": round(row["memory_bytes"])}  # fmt: skip
            series.setdefault((row["namespace"], row["kind"], row["deployment"]), []).append(point)
            total = totals.setdefault(row["bucket"], [0.0, 0.0, 0.0])
            total[0] += row["processes"]
            total[1] += row["cpu_cores"]
            total[2] += row["memory_bytes"]
        n = len(totals) or 1
        return {
            "start": rfc3339(start), "end": rfc3339(end), "step": step_s,
            "summary": {"averageProcesses": round(sum(t[0] for t in totals.values()) / n, 3),
                        "averageCpuCores": round(sum(t[1] for t in totals.values()) / n, 4),
                        "averageMemoryBytes": round(sum(t[2] for t in totals.values()) / n)},
            "series": [{"namespace": ns, "kind": k, "deployment": d, "points": points}
                       for (ns, k, d), points in series.items()],
        }  # fmt: skip
