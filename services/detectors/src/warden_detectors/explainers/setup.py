"""Wiring of explanations into the detectors service: on its database pool and log store, with upstream clients
to the data plane and a consumer of deployment events (explainers in deployment specs)."""

from __future__ import annotations

from contextlib import AsyncExitStack

import asyncpg
from fastapi import FastAPI

from warden_common.logstore import LogStore
from warden_common.platform import Platform
from warden_common.upstreams import open_upstreams
from warden_detectors.explainers.deployments import DeploymentExplainers
from warden_detectors.explainers.repository import ExplanationsRepository
from warden_detectors.explainers.service import ExplainService
from warden_detectors.explainers.settings import ExplainSettings
from warden_detectors.settings import DetectorsSettings

CONSUMER_GROUP = "warden-detectors-explainers"


async def start_explanations(
    app: FastAPI,
    platform: Platform,
    stack: AsyncExitStack,
    *,
    service_settings: DetectorsSettings,
    settings: ExplainSettings,
    pool: asyncpg.Pool,
    log_store: LogStore,
) -> ExplainService:
    """Serve explanations (`app.state.explanations`) until `stack` closes. `pool` and `log_store` are the detectors
    service's own (its tables, migration 0004, are migrated with the others; the log store is read only)."""
    upstreams = await stack.enter_async_context(open_upstreams(service_settings, platform))
    service = ExplainService(ExplanationsRepository(pool), upstreams, settings, log_store)
    stack.push_async_callback(service.close)
    subscription = await DeploymentExplainers(service, platform.bus, CONSUMER_GROUP).start()
    stack.push_async_callback(subscription.stop)
    app.state.explanations = service
    stack.callback(setattr, app.state, "explanations", None)
    return service
