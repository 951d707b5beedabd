"""The seed's way to add an explainer: a predictor's `explainer` section (`{type, modelUri, config}` and Warden's
fields) in the deployment spec. Deployment events (topic `warden.deployments`) add, replace or remove it."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError

from warden_common import topics
from warden_common.bus.port import Bus, Subscription
from warden_common.codec import Event
from warden_common.errors import WardenError
from warden_common.events import DEPLOYMENT_CREATED, DEPLOYMENT_DELETED, DEPLOYMENT_UPDATED, decode_data
from warden_common.events.deployments import DeploymentCreated, DeploymentDeleted, DeploymentUpdated
from warden_detectors.explainers.repository import DeploymentKey
from warden_detectors.explainers.service import ExplainService
from warden_detectors.explainers.spec import ExplainerSpec

logger = logging.getLogger(__name__)
SOURCE = "deployment"


def explainer_section(spec: dict[str, Any]) -> tuple[dict[str, Any], str | None] | None:
    """The first predictor's `explainer` section, and that predictor's model URI (where its schema is catalogued)."""
    body = spec.get("spec") if isinstance(spec.get("spec"), dict) else spec
    predictors = body.get("predictors") if isinstance(body, dict) else None
    for predictor in predictors if isinstance(predictors, list) else []:
        section = predictor.get("explainer") if isinstance(predictor, dict) else None
        if isinstance(section, dict) and section.get("type"):
            graph = predictor.get("graph")
            model_uri = graph.get("modelUri") if isinstance(graph, dict) else None
            return section, model_uri if isinstance(model_uri, str) else None
    return None


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
        found = explainer_section(data.spec)
        if found is None:  # the section was taken out: remove what it had added (not one added through the API)
            await self._service.remove_explainer(key, source=SOURCE)
            return
        section, model_uri = found
        try:
            spec = ExplainerSpec.model_validate({"catalogModelUri": model_uri, **section})
            await self._service.set_explainer(key, spec, source=SOURCE)
        except (ValidationError, WardenError) as exc:  # a user's mistake in the manifest: say so, do not retry
            logger.warning("the explainer of %s/%s is not usable: %s", data.namespace, data.name, exc)

    async def start(self) -> Subscription:
        return await self._bus.subscribe(topics.DEPLOYMENTS, group=self._group, handler=self.handle)
