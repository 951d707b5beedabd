"""The log stores the bench measures: where a phase's documents go, how they are counted, how the ceiling writes.

Each phase gets its own namespace (OpenSearch: an index prefix; PostgreSQL: a database), deleted afterwards.
`ensure_servers` starts what a target needs through `warden_common.testing.servers` (idempotent: a healthy
server is left alone), so the bench runs on a machine where nobody started them by hand.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import asyncpg
import httpx
import orjson
from measure import index_work, opensearch_cpu_s, process_cpu_s, process_tree_cpu_s

from warden_common.logstore import InstanceWrite, LogWrite
from warden_common.logstore import opensearch_bulk as bulk
from warden_common.logstore.naming import INSTANCES, PAYLOADS, index_family, index_name
from warden_common.logstore.opensearch import OpenSearchLogStore
from warden_common.logstore.postgres import PostgresLogStore
from warden_common.testing.servers import get_server

WRITERS, PER_REQUEST = 4, 500  # the ceiling: 4 concurrent writers of 500 final documents each


def ensure_servers(*names: str) -> dict[str, str]:
    """Start (or find running) each server; name -> endpoint."""
    endpoints = {}
    for name in names:
        server = get_server(name)
        server.start()
        endpoints[name] = server.endpoint
    return endpoints


def infra_pid(name: str, endpoint: str) -> int | None:
    """The pid of this host's `scripts/infra` server `name` when `endpoint` is its endpoint, else None."""
    server = get_server(name)
    return server.running_pid() if server.endpoint.rstrip("/") == endpoint.rstrip("/") else None


class Target(Protocol):
    name: str

    async def new_phase(self) -> str: ...
    async def count_complete(self, phase: str) -> int: ...
    def logger_env(self, phase: str) -> dict[str, str]: ...
    async def direct_write(self, phase: str, merged: Sequence[LogWrite]) -> None: ...
    async def work_note(self, phase: str, n: int, since: float) -> str: ...
    async def cpu_now(self) -> float: ...
    async def forget(self, phase: str) -> None: ...
    async def close(self) -> None: ...


async def _in_writers(chunks: list[Any], write: Any) -> None:
    async def writer() -> None:
        while chunks:
            await write(chunks.pop(0))

    await asyncio.gather(*(writer() for _ in range(WRITERS)))


class OpenSearchTarget:
    name = "opensearch"

    def __init__(self, url: str) -> None:
        self.url = url
        self.client = httpx.AsyncClient(base_url=url, timeout=120)
        # The node's own CPU figure is refreshed once a second (`monitor.process.refresh_interval`): off by up
        # to a second of CPU over a phase of a few seconds. This host's server is read from /proc instead.
        self._pid = infra_pid("opensearch", url)

    async def new_phase(self) -> str:
        prefix = f"bench{uuid.uuid4().hex[:6]}-"
        store = OpenSearchLogStore(self.url, prefix=prefix)
        await store.start()  # the logger's own index templates, with its default refresh interval
        await store.close()
        return prefix

    async def count_complete(self, phase: str) -> int:
        query = {"bool": {"filter": [{"exists": {"field": "request.time"}}, {"exists": {"field": "response.time"}}]}}
        answer = await self.client.post(f"/{phase}inference-log.*/_count", json={"query": query},
                                        params={"ignore_unavailable": "true", "allow_no_indices": "true"})  # fmt: skip
        return int(answer.json().get("count", 0)) if answer.status_code == 200 else 0

    def logger_env(self, phase: str) -> dict[str, str]:
        return {"WARDEN_LOGGER_STORE": "opensearch", "WARDEN_LOGGER_OPENSEARCH__URL": self.url,
                "WARDEN_LOGGER_OPENSEARCH__INDEX_PREFIX": phase}  # fmt: skip

    async def direct_write(self, phase: str, merged: Sequence[LogWrite]) -> None:
        """Plain bulk `index` of the final documents (no refresh asked for: timed until searchable)."""
        lines = []
        for item in merged:
            assert isinstance(item, InstanceWrite)
            action = {"index": {"_index": index_name(phase, INSTANCES, item.ref), "_id": item.doc_id}}
            lines.append(orjson.dumps(action) + b"\n" + orjson.dumps(bulk.instance_source(item)) + b"\n")
        chunks = [b"".join(lines[i : i + PER_REQUEST]) for i in range(0, len(lines), PER_REQUEST)]

        async def write(body: bytes) -> None:
            answer = await self.client.post("/_bulk", content=body, headers={"content-type": "application/x-ndjson"})
            assert answer.status_code == 200 and not answer.json()["errors"], answer.text[:500]

        await _in_writers(chunks, write)

    async def work_note(self, phase: str, n: int, since: float) -> str:
        cpu = await self.cpu_now() - since
        work = await index_work(self.client, phase)
        return f"OpenSearch node CPU {1000 * cpu / n:.2f} s per 1,000; {work.per_thousand(n)}"

    async def cpu_now(self) -> float:
        return process_cpu_s(self._pid) if self._pid else await opensearch_cpu_s(self.client)

    async def forget(self, phase: str) -> None:
        await self.client.delete(f"/{phase}*")
        for kind in (INSTANCES, PAYLOADS):
            await self.client.delete(f"/_index_template/{index_family(phase, kind)}")

    async def close(self) -> None:
        await self.client.aclose()


_COMPLETE = "SELECT count(*) FROM warden_logs.instances WHERE doc ? 'request' AND doc ? 'response'"
_COMPLETE_BY_ARRAYS = (
    "SELECT count(*) FROM warden_logs.instances WHERE request_numbers IS NOT NULL AND response_numbers IS NOT NULL"
)


class PostgresTarget:
    """The standalone log store: one database per phase, migrated by the store itself (as standalone does)."""

    name = "postgres"

    def __init__(self, server_dsn: str) -> None:
        self.server_dsn = server_dsn  # the `postgres` database: databases are created and dropped from there
        self._pollers: dict[str, asyncpg.Connection] = {}
        self._poll_lock = asyncio.Lock()

    def _dsn(self, phase: str) -> str:
        return self.server_dsn.rsplit("/", 1)[0] + "/" + phase

    async def new_phase(self) -> str:
        name = f"bench_{uuid.uuid4().hex[:8]}"
        connection = await asyncpg.connect(self.server_dsn)
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')  # generated name, not input
        finally:
            await connection.close()
        store = PostgresLogStore(self._dsn(name), migrate=True)
        await store.start()
        await store.close()
        return name

    async def count_complete(self, phase: str) -> int:
        """Documents with both parts, read off the parts' element arrays, which the store writes in the same
        statement as the part (the bench's predictions have numbers in both). Not `doc ? 'request'`: that reads
        every row's `doc` (150+ ms at 30,000 rows), and polled every 50 ms it took most of a core from the phase it
        timed - more from end to end, which runs longer, than from the ceiling. `work_note` checks the two agree.
        One connection per phase: a connection per poll cost a backend start (fork, authentication, caches) every
        50 ms, again charged to end to end, which polls while it works (the ceiling polls once its writes return)."""
        async with self._poll_lock:  # the lag phase polls from two tasks; a connection runs one query at a time
            connection = self._pollers.get(phase)
            if connection is None:
                connection = self._pollers[phase] = await asyncpg.connect(self._dsn(phase))
            return int(await connection.fetchval(_COMPLETE_BY_ARRAYS))

    def logger_env(self, phase: str) -> dict[str, str]:
        return {"WARDEN_LOGGER_STORE": "postgres", "WARDEN_LOGGER_DATABASE__DSN": self._dsn(phase),
                "WARDEN_LOGGER_AUTO_MIGRATE": "true"}  # fmt: skip

    async def direct_write(self, phase: str, merged: Sequence[LogWrite]) -> None:
        """The store's own upsert of the final documents, committed (visible) per request."""
        store = PostgresLogStore(self._dsn(phase), pool_size=WRITERS, migrate=False)
        await store.start()
        try:
            chunks = [merged[i : i + PER_REQUEST] for i in range(0, len(merged), PER_REQUEST)]

            async def write(chunk: Sequence[LogWrite]) -> None:
                assert not await store.write(chunk)

            await _in_writers(chunks, write)
        finally:
            await store.close()

    async def work_note(self, phase: str, n: int, since: float) -> str:
        cpu = await self.cpu_now() - since
        await asyncio.sleep(1.0)  # backends report their statistics when idle, at most once a second
        connection = await asyncpg.connect(self._dsn(phase))
        try:
            tables = await connection.fetch(
                "SELECT relname, n_tup_ins, n_tup_upd FROM pg_stat_user_tables"
                " WHERE schemaname = 'warden_logs' AND relname IN ('instances', 'payloads') ORDER BY relname"
            )
            commits = await connection.fetchval(
                "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
            )
            by_arrays, by_doc = await connection.fetchval(_COMPLETE_BY_ARRAYS), await connection.fetchval(_COMPLETE)
        finally:
            await connection.close()
        if by_arrays != by_doc:
            raise AssertionError(f"{by_arrays} documents complete by their arrays, {by_doc} by their doc")
        rows = ", ".join(f"{t['relname']} {t['n_tup_ins']:,} inserted / {t['n_tup_upd']:,} updated" for t in tables)
        return f"PostgreSQL server CPU {1000 * cpu / n:.2f} s per 1,000; {rows}; {commits:,} commits"

    async def cpu_now(self) -> float:
        """The server's processes' CPU seconds (it runs on this host, as every bench server does)."""
        connection = await asyncpg.connect(self.server_dsn)
        try:
            data_directory = await connection.fetchval("SHOW data_directory")
        finally:
            await connection.close()
        postmaster = int((Path(data_directory) / "postmaster.pid").read_text().split("\n", 1)[0])
        return process_tree_cpu_s(postmaster)

    async def forget(self, phase: str) -> None:
        poller = self._pollers.pop(phase, None)
        if poller is not None:
            await poller.close()
        connection = await asyncpg.connect(self.server_dsn)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{phase}" WITH (FORCE)')
        finally:
            await connection.close()

    async def close(self) -> None:
        return
