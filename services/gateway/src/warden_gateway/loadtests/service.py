"""Load-test jobs: recorded in `gateway.load_tests`, each run by a load-generator process this gateway starts and
watches (`worker.py`: out of the gateway's event loop, so neither disturbs what the other measures or serves).

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
import sys
from typing import Any

import asyncpg

from warden_common.errors import Conflict, NotFound
from warden_gateway.loadtests import repository as repo
from warden_gateway.loadtests.generator import LoadPlan
from warden_gateway.loadtests.settings import LoadTestSettings
from warden_gateway.loadtests.spec import LoadTestSpec
from warden_gateway.loadtests.worker import encode_plan

logger = logging.getLogger(__name__)

Key = tuple[str, str, str, str]
"""(namespace, kind plural, deployment, job name)."""

_STOP_GRACE_S = 5.0
"""How long a stopped load generator gets to report its progress before it is killed."""

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
        """The job is `Running` from the worker's first line on (it is sending load by then), not from its spawn:
        a job stopped before that has no progress to keep."""
        worker = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "warden_gateway.loadtests.worker",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            start_new_session=True,  # a terminal's Ctrl-C is for the gateway, which stops the job itself
        )  # fmt: skip
        latest: dict[str, Any] = {}
        assert worker.stdin is not None and worker.stdout is not None and worker.stderr is not None
        stderr = asyncio.create_task(worker.stderr.read())  # read aside: a full pipe would block the worker
        try:
            worker.stdin.write(encode_plan(plan, key[3], self._settings.heartbeat_s))
            await worker.stdin.drain()  # stdin stays open: closing it stops the worker (and so does our death)
            final, running = None, False
            async for line in worker.stdout:
                message = json.loads(line)
                if "final" in message:
                    final = message["final"]
                    break
                latest = message.get("progress") or message.get("stopped") or latest
                async with self._pool.acquire() as conn:
                    alive = await (repo.heartbeat(conn, key, latest) if running else repo.mark_running(conn, key))
                running = True
                if not alive:
                    worker.terminate()  # deleted, here before it started or through another gateway
            worker.stdin.close()
            code = await worker.wait()
        except asyncio.CancelledError:
            latest = await _stop(worker, latest)
            stderr.cancel()
            await self._finish(key, repo.FAILED, latest, INTERRUPTED)
            raise
        except Exception as exc:  # a broken protocol line, the database... (failed requests are counted, not this)
            latest = await _stop(worker, latest)
            stderr.cancel()
            logger.exception("load test %s failed", key[3])
            await self._finish(key, repo.FAILED, latest, f"the load generator failed: {exc!r}")
            return
        if final is None:
            why = (await stderr).decode(errors="replace").strip()[-2000:]
            reason = f"the load generator stopped (exit {code}) before it finished: {why or 'no message'}"
            await self._finish(key, repo.FAILED, latest, reason)
            return
        stderr.cancel()
        await self._finish(key, repo.SUCCEEDED, final, None)

    async def _finish(self, key: Key, status: str, result: dict[str, Any], reason: str | None) -> None:
        async with self._pool.acquire() as conn:
            await repo.finish(conn, key, status, result, reason)


async def _stop(worker: asyncio.subprocess.Process, latest: dict[str, Any]) -> dict[str, Any]:
    """Stop the load generator, keep the progress it reports on the way out, and reap it (never leave one sending
    load behind: it is killed if it does not stop within `_STOP_GRACE_S`)."""

    async def last_words() -> dict[str, Any]:
        assert worker.stdout is not None
        summary = latest
        async for line in worker.stdout:
            with contextlib.suppress(ValueError):
                message = json.loads(line)
                summary = message.get("stopped") or message.get("progress") or message.get("final") or summary
        await worker.wait()
        return summary

    if worker.stdin is not None:
        worker.stdin.close()
    if worker.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            worker.terminate()
    try:
        return await asyncio.shield(asyncio.wait_for(last_words(), _STOP_GRACE_S))
    except (TimeoutError, asyncio.CancelledError):
        with contextlib.suppress(ProcessLookupError):
            worker.kill()
        await asyncio.shield(worker.wait())
        return latest


def _encode(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()
