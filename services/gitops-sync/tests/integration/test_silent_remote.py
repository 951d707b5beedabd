"""A GitOps remote that accepts the connection and never answers (a dead host behind a firewall, a hung server)
holds up neither the namespace API nor the status page: the first sync runs in the background, and its failure
shows in the status once git gives up."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from warden_common.testing.waiting import eventually

from .conftest import API, Warden

pytestmark = pytest.mark.integration


class SilentServer:
    """A TCP server that takes connections and never writes a byte, until closed."""

    def __init__(self) -> None:
        self.connected = asyncio.Event()
        self.open_connections: set[asyncio.StreamWriter] = set()
        self.server: asyncio.Server | None = None

    async def _hold(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.open_connections.add(writer)
        self.connected.set()
        await reader.read()  # until the client gives up, or the server closes it
        self.open_connections.discard(writer)

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._hold, "127.0.0.1", 0)
        port: int = self.server.sockets[0].getsockname()[1]
        return port

    async def close(self) -> None:
        for writer in list(self.open_connections):
            writer.close()
        if self.server is not None:
            self.server.close()


@pytest.fixture
async def silent() -> AsyncIterator[SilentServer]:
    server = SilentServer()
    await server.start()
    try:
        yield server
    finally:
        await server.close()


@pytest.fixture
def gitops_settings() -> dict[str, Any]:
    return {"git_timeout_s": 60}  # far longer than anything below waits: only the background sync may wait on it


async def test_a_remote_that_never_answers_stalls_neither_the_namespace_api_nor_the_status(
    warden: Warden, silent: SilentServer
) -> None:
    assert silent.server is not None
    port = silent.server.sockets[0].getsockname()[1]
    await warden.namespace("team", gitops=True, git_repo=f"git://127.0.0.1:{port}/team.git")

    # The namespace exists while git is still waiting on the remote: the API did not wait for the fetch.
    await asyncio.wait_for(silent.connected.wait(), timeout=30)
    assert silent.open_connections, "the first sync's fetch should still be waiting on the silent remote"
    status = (await warden.client.get(f"{API}/namespaces/team/gitops-status")).json()
    assert status["gitops"] is True and status["lastSyncedCommit"] is None
    assert silent.open_connections, "the status page answered while the fetch was still waiting"
    listed = (await warden.client.get(f"{API}/namespaces/team")).json()
    assert listed["labels"]["seldon.gitops"] == "enabled"

    # The remote hangs up: the sync fails and says so.
    await silent.close()

    async def failed() -> dict[str, Any] | None:
        status: dict[str, Any] = (await warden.client.get(f"{API}/namespaces/team/gitops-status")).json()
        return status if status.get("lastError") else None

    status = await eventually(failed, within_s=30, what="the failed sync in the namespace's status")
    assert "127.0.0.1" in status["lastError"]
