"""Build request / response / feedback CloudEvents exactly as a Seldon Core executor does (protocols.md §1).

Each event gets its own id; `requestid` (the PUID) ties a request, its response and later feedback together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cloudevents.core.v1.event import CloudEvent

from warden_common.events import SELDON_FEEDBACK, SELDON_REQUEST, SELDON_RESPONSE, build_event
from warden_common.events.inference import DEPLOYMENT_UID_EXTENSION, LOAD_TEST_EXTENSION


@dataclass(frozen=True)
class EventContext:
    """Who served a call: the extensions every event of that call carries."""

    source: str
    puid: str
    namespace: str
    deployment: str
    predictor: str
    model: str
    protocol: str
    deployment_uid: str | None = None
    load_test: str | None = None
    """The load-test job this call belongs to (its `LOAD_TEST_HEADER`); None for real traffic."""

    def extensions(self) -> dict[str, str]:
        extensions = {
            "requestid": self.puid,
            "modelid": self.model,
            "inferenceservicename": self.deployment,
            "namespace": self.namespace,
            "endpoint": self.predictor,
            "protocol": self.protocol,
        }
        if self.deployment_uid:
            # Beyond the executor's set (receivers that do not know it ignore it): which life of the name served.
            extensions[DEPLOYMENT_UID_EXTENSION] = self.deployment_uid
        if self.load_test:
            extensions[LOAD_TEST_EXTENSION] = self.load_test
        return extensions


def request_event(ctx: EventContext, payload: Any) -> CloudEvent:
    return build_event(SELDON_REQUEST, payload, source=ctx.source, extensions=ctx.extensions())


def response_event(ctx: EventContext, payload: Any) -> CloudEvent:
    return build_event(SELDON_RESPONSE, payload, source=ctx.source, extensions=ctx.extensions())


def feedback_event(ctx: EventContext, payload: Any) -> CloudEvent:
    return build_event(SELDON_FEEDBACK, payload, source=ctx.source, extensions=ctx.extensions())
