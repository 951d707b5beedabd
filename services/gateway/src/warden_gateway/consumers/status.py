"""Keeps each deployment's `status` current from the runtime's `io.warden.deployment.status.changed.v1` events."""

from __future__ import annotations

import logging
from typing import Any

import asyncpg

from warden_common import topics
from warden_common.bus.port import Bus, Subscription
from warden_common.codec import Event
from warden_common.events import DEPLOYMENT_STATUS_CHANGED, decode_data_as
from warden_common.events.deployments import DeploymentStatusChanged, PredictorSummary
from warden_gateway import repository as repo

logger = logging.getLogger(__name__)

GROUP = "gateway-status"

# Kubernetes' Ready condition for KServe readers, from the state Warden's runtime reports.
_READY = {"Available": "True", "Failed": "False"}


def status_from_event(payload: DeploymentStatusChanged) -> dict[str, Any]:
    """The `status` fields the event determines (merged over the stored status, so others are kept)."""
    state = payload.status
    status: dict[str, Any] = {"state": state, "description": payload.reason or ""}
    if payload.predictors:
        status["deploymentStatus"] = {p.name: _predictor_status(p, state) for p in payload.predictors}
    if payload.kind == "InferenceService":
        condition = {"type": "Ready", "status": _READY.get(state, "Unknown"), "reason": state}
        if payload.reason:
            condition["message"] = payload.reason
        status["conditions"] = [condition]
    return status


def _predictor_status(predictor: PredictorSummary, deployment_state: str) -> dict[str, Any]:
    """One predictor's entry: its own state when the runtime reports it (older runtimes report the deployment's)."""
    entry: dict[str, Any] = {
        "name": predictor.name,
        "status": predictor.status or deployment_state,
        "replicas": predictor.replicas,
        "modelUris": predictor.model_uris,
    }
    if predictor.reason:
        entry["description"] = predictor.reason
    return entry


class StatusConsumer:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def handle(self, event: Event) -> None:
        if event.get_type() != DEPLOYMENT_STATUS_CHANGED:
            return  # the topic also carries the gateway's own created/updated/deleted events
        payload = decode_data_as(event, DeploymentStatusChanged)
        async with self._pool.acquire() as conn:
            status = status_from_event(payload)
            found = await repo.set_status(conn, payload.namespace, payload.name, payload.uid, status)
        if not found:
            # Deleted meanwhile (or recreated with a new uid): the status belongs to an object that is gone.
            where = f"{payload.namespace}/{payload.name}"
            logger.info("status of an unknown deployment ignored", extra={"deployment": where})


async def subscribe_status(bus: Bus, pool: asyncpg.Pool) -> Subscription:
    return await bus.subscribe(topics.DEPLOYMENTS, group=GROUP, handler=StatusConsumer(pool).handle)
