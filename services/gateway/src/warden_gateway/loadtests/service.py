"""Load-test jobs: recorded in `gateway.load_tests`, run as tasks of this gateway process.

A running job beats every `heartbeat_s` with its progress; a job whose gateway died stops beating and is failed
("interrupted") by the next gateway that starts or lists, so the list never shows a dead job as running.
A gateway that stops cleanly fails its own running jobs the same way before it exits. Deleting a job stops it
(here at once; on another replica at its next heartbeat, when it finds its row gone).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

import asyncpg

from warden_common.errors import Conflict, NotFound
from warden_gateway.loadtests import repository as repo
from warden_gateway.loadtests.generator import LoadPlan, LoadRun, run_load
from warden_gateway.loadtests.settings import LoadTestSettings
from warden_gateway.loadtests.spec import LoadTestSpec

logger = logging.getLogger(__name__)

Key = tuple[str, str, str, str]
"""(namespace, kind plural, deployment, job name)."""

INTERRUPTED = "interrupted: the gateway running this load test stopped before it finished"


class LoadTestService:
    def __init__(self, pool: asyncpg.Pool, settings: LoadTestSettings) -> None:
        self._pool = pool
        self._settings = settings
        self._tasks: dict[Key, asyncio.Task[None]] = {}

    async def fail_interrupted(self) -> int:
        async with self._pool.acquire() as conn:
            failed = await repo.fail_stale(conn, self._settings.stale_after_s, INTERRUPTED)
        if failed:
            logger.warning("%d load test(s) were interrupted by a gateway stop: marked failed", failed)
        return failed

    async def create(self, key: tuple[str, str, str], spec: LoadTestSpec, *, url: str, path: str,
                     headers: dict[str, str], actor: str) -> repo.LoadTestRow:  # fmt: skip
        namespace, kind, deployment = key
        row = {
            "namespace": namespace, "kind": kind, "deployment": deployment, "name": spec.name,
            "connections": spec.connections, "requests": spec.requests, "duration_s": spec.duration_s,
            "payload": spec.payload, "path": path, "created_by": actor,
        }  # fmt: skip
        async with self._pool.acquire() as conn:
            created = await repo.insert(conn, row)
        if created is None:
            raise Conflict(f"load test job {spec.name!r} exists for {namespace}/{deployment}; delete it or "
                           "choose another jobName", code="load_test_exists", details={"field": "jobName"})  # fmt: skip
        plan = LoadPlan(
            url=url, payload=_encode(spec.payload), connections=spec.connections, requests=spec.requests,
            duration_s=spec.duration_s, headers=headers, timeout_s=self._settings.request_timeout_s,
        )  # fmt: skip
        job_key = (namespace, kind, deployment, spec.name)
        task = asyncio.create_task(self._run(job_key, plan), name=f"loadtest-{namespace}-{deployment}-{spec.name}")
        self._tasks[job_key] = task
        task.add_done_callback(lambda _: self._tasks.pop(job_key, None))
        return created

    async def list(self, key: tuple[str, str, str]) -> list[repo.LoadTestRow]:
        await self.fail_interrupted()
        async with self._pool.acquire() as conn:
            return await repo.list_for(conn, *key)

    async def delete(self, key: Key) -> None:
        task = self._tasks.pop(key, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        async with self._pool.acquire() as conn:
            if not await repo.delete(conn, *key):
                raise NotFound(f"no load test job {key[3]!r} for {key[0]}/{key[2]}", code="load_test_not_found")

    async def close(self) -> None:
        """Stop every job this process runs; each is recorded as failed (interrupted)."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _run(self, key: Key, plan: LoadPlan) -> None:
        async with self._pool.acquire() as conn:
            if not await repo.mark_running(conn, key):
                return  # deleted before it started
        run = LoadRun()
        load = asyncio.create_task(run_load(plan, key[3], run))
        try:
            while not load.done():
                await asyncio.wait({load}, timeout=self._settings.heartbeat_s)
                if not load.done():
                    async with self._pool.acquire() as conn:
                        if not await repo.heartbeat(conn, key, run.summary()):
                            load.cancel()  # deleted through another gateway
            await load
        except asyncio.CancelledError:
            load.cancel()
            await asyncio.gather(load, return_exceptions=True)
            await self._finish(key, repo.FAILED, run.summary(), INTERRUPTED)
            raise
        except Exception as exc:  # the generator failed (not a failed request: those are counted)
            logger.exception("load test %s failed", key[3])
            await self._finish(key, repo.FAILED, run.summary(), f"the load generator failed: {exc!r}")
            return
        await self._finish(key, repo.SUCCEEDED, run.summary(), None)

    async def _finish(self, key: Key, status: str, result: dict[str, Any], reason: str | None) -> None:
        async with self._pool.acquire() as conn:
            await repo.finish(conn, key, status, result, reason)


def _encode(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()
