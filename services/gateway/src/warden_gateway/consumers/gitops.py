"""Applies deployment files changed in git by others (gitops-sync's `io.warden.gitops.deployment.changed.v1`).

The change is applied through the deployment service like an API call (validated, versioned, published to the
runtime), as the commit's author, without committing again (git has it already). Idempotent: a deployment already
equal to the file is left alone, so a redelivered event is a no-op. Guarded: a deployment that no longer equals the
file as gitops-sync last synced it (`previous`) was changed through the API meanwhile; that newer change wins and
the event is dropped with a warning (the commit that made the API change is on top of the remote's already).
An invalid file raises: the bus retries, then dead-letters the event, where it can be inspected.
"""

from __future__ import annotations

import logging

from warden_common import topics
from warden_common.bus.port import Bus, Subscription
from warden_common.codec import Event
from warden_common.errors import Conflict
from warden_common.events import GITOPS_DEPLOYMENT_CHANGED, decode_data_as
from warden_common.events.gitops import GitopsDeploymentChanged
from warden_gateway.deployments.converge import converge_from, same
from warden_gateway.deployments.service import Change, DeploymentService

logger = logging.getLogger(__name__)

GROUP = "gateway-gitops"
_ATTEMPTS = 3


async def apply_git_change(service: DeploymentService, payload: GitopsDeploymentChanged) -> str:
    """Apply one changed file; what was done ("created", "updated", "deleted", "unchanged", "skipped")."""
    ns, name = payload.namespace, payload.name
    change = Change(actor=payload.author or "git", comment=payload.message or None, record=False)
    for _ in range(_ATTEMPTS):
        current = await service.current(ns, name)
        if not same(current, payload.spec, ns) and not same(current, payload.previous, ns):
            logger.warning(
                "git change not applied: the deployment was changed through the API since",
                extra={"namespace": ns, "deployment": name, "commit": payload.commit},
            )
            return "skipped"
        try:
            return await converge_from(service, ns, name, current, payload.spec, change)
        except Conflict:  # changed between the read and the write: look again
            continue
    raise Conflict(f"{ns}/{name} kept changing while the commit {payload.commit[:12]} from git was applied")


async def subscribe_git_changes(bus: Bus, service: DeploymentService) -> Subscription:
    async def handle(event: Event) -> None:
        if event.get_type() != GITOPS_DEPLOYMENT_CHANGED:
            return
        payload = decode_data_as(event, GitopsDeploymentChanged)
        done = await apply_git_change(service, payload)
        logger.info(
            "git change applied",
            extra={"namespace": payload.namespace, "deployment": payload.name, "commit": payload.commit, "done": done},
        )

    return await bus.subscribe(topics.GITOPS, group=GROUP, handler=handle)
