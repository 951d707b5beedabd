"""The seed's way to add an explainer: in the deployment spec, a SeldonDeployment predictor's `explainer` section
(`{type, modelUri, config}` and Warden's fields) or an InferenceService's `spec.explainer.alibi` (`{type, storageUri,
config}`). Deployment events (topic `warden.deployments`) add, replace or remove it."""

from __future__ import annotations

import logging

from pydantic import ValidationError

from warden_common import topics
from warden_common.bus.port import Bus, Subscription
from warden_common.codec import Event
from warden_common.errors import WardenError
from warden_common.events import DEPLOYMENT_CREATED, DEPLOYMENT_DELETED, DEPLOYMENT_UPDATED, decode_data
from warden_common.events.deployments import DeploymentCreated, DeploymentDeleted, DeploymentUpdated
from warden_common.explainers import explainer_section
from warden_detectors.explainers.repository import DeploymentKey
from warden_detectors.explainers.service import ExplainService

logger = logging.getLogger(__name__)
SOURCE = "deployment"


class DeploymentExplainers:
    def __init__(self, service: ExplainService, bus: Bus, group: str) -> None:
        self._service = service
        self._bus = bus
        self._group = group

    async def handle(self, event: Event) -> None:
        if event.get_type() not in (DEPLOYMENT_CREATED, DEPLOYMENT_UPDATED, DEPLOYMENT_DELETED):
            return
        data = decode_data(event)
        if not isinstance(data, DeploymentCreated | DeploymentUpdated | DeploymentDeleted):
            return
        key = DeploymentKey(data.namespace, data.kind, data.name)
        if isinstance(data, DeploymentDeleted):
            await self._service.remove_explainer(key)
            return
        section = explainer_section(data.kind, data.spec)
        if section is None:  # the section was taken out: remove what it had added (not one added through the API)
            await self._service.remove_explainer(key, source=SOURCE)
            return
        try:  # the gateway checked the section; its sources (URIs) are read only now
            await self._service.set_explainer(key, section.spec(), source=SOURCE)
        except (ValidationError, WardenError) as exc:  # a user's mistake in the manifest: say so, do not retry
            logger.warning("the explainer of %s/%s is not usable: %s", data.namespace, data.name, exc)

    async def start(self) -> Subscription:
        return await self._bus.subscribe(topics.DEPLOYMENTS, group=self._group, handler=self.handle)
