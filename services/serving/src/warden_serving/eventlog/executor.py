"""Build request / response / feedback CloudEvents exactly as a Seldon Core executor does (protocols.md §1).

Each event gets its own id; `requestid` (the PUID) ties a request, its response and later feedback together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cloudevents.core.v1.event import CloudEvent

from warden_common.events import SELDON_FEEDBACK, SELDON_REQUEST, SELDON_RESPONSE, build_event


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

    def extensions(self) -> dict[str, str]:
        return {
            "requestid": self.puid,
            "modelid": self.model,
            "inferenceservicename": self.deployment,
            "namespace": self.namespace,
            "endpoint": self.predictor,
            "protocol": self.protocol,
        }


def request_event(ctx: EventContext, payload: Any) -> CloudEvent:
    return build_event(SELDON_REQUEST, payload, source=ctx.source, extensions=ctx.extensions())


def response_event(ctx: EventContext, payload: Any) -> CloudEvent:
    return build_event(SELDON_RESPONSE, payload, source=ctx.source, extensions=ctx.extensions())


def feedback_event(ctx: EventContext, payload: Any) -> CloudEvent:
    return build_event(SELDON_FEEDBACK, payload, source=ctx.source, extensions=ctx.extensions())
