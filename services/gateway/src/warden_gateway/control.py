"""Opens what the control API needs: the gateway's database (migrated), the services on top, the outbox relay
that publishes their events, the status consumer."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from warden_common.db import OutboxRelay, open_pool, prepare_schema
from warden_common.observability import add_readiness_check
from warden_common.platform import Platform
from warden_common.upstreams import Upstreams
from warden_gateway.consumers.gitops import subscribe_git_changes
from warden_gateway.consumers.status import subscribe_status
from warden_gateway.deployments.audit import GitRecorder
from warden_gateway.deployments.service import DeploymentService
from warden_gateway.loadtests.service import LoadTestService
from warden_gateway.migrations import OUTBOX, SERVICE, migrations
from warden_gateway.namespaces import NamespaceService
from warden_gateway.settings import GatewaySettings
from warden_gateway.usage.service import UsageService

logger = logging.getLogger(__name__)


@asynccontextmanager
async def open_control_plane(
    app: FastAPI, settings: GatewaySettings, platform: Platform, upstreams: Upstreams | None = None
) -> AsyncIterator[None]:
    """Set `app.state.deployments` / `app.state.namespaces`; without a database they stay None (routes answer 503)."""
    app.state.deployments = None
    app.state.namespaces = None
    app.state.load_tests = None
    app.state.usage = None
    dsn = platform.database_dsn
    if dsn is None:
        logger.warning("no database configured (WARDEN_GATEWAY_DATABASE__DSN): the deployment API is unavailable")
        yield
        return
    await prepare_schema(dsn, SERVICE, migrations(), migrate=platform.mode == "standalone")
    async with (
        open_pool(
            dsn,
            min_size=settings.database.min_pool,
            max_size=settings.database.max_pool,
            application_name="warden-gateway",
        ) as pool,
        OutboxRelay(pool, OUTBOX, platform.bus),
    ):

        async def database_ready() -> bool:
            async with pool.acquire() as conn:
                return bool(await conn.fetchval("SELECT true"))

        add_readiness_check(app, "database", database_ready)
        recorder = GitRecorder(upstreams)
        deployments = DeploymentService(pool, OUTBOX, recorder)
        app.state.deployments = deployments
        app.state.git = recorder
        app.state.namespaces = NamespaceService(pool, recorder)
        if not recorder.enabled:
            logger.warning(
                "no gitops-sync service configured (WARDEN_GATEWAY_UPSTREAMS__GITOPS_SYNC): deployment changes are "
                "not recorded in git, and changes in GitOps namespaces are refused"
            )
        subscription = await subscribe_status(platform.bus, pool)
        git_changes = await subscribe_git_changes(platform.bus, deployments)
        load_tests = LoadTestService(pool, settings.load_tests)
        await load_tests.fail_interrupted()  # jobs a stopped gateway left marked running
        usage = UsageService(pool, upstreams, settings.usage)
        usage.start()
        app.state.load_tests, app.state.usage = load_tests, usage
        try:
            yield
        finally:
            app.state.load_tests, app.state.usage = None, None
            await usage.close()
            await load_tests.close()
            await git_changes.stop()
            await subscription.stop()
            app.state.deployments = None
            app.state.namespaces = None
