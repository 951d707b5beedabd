"""Typed event payloads, registered by CloudEvent type.

    from warden_common.events import build_event, decode_data, registry

    event = build_event(DEPLOYMENT_CREATED, DeploymentCreated(...), source="/warden/gateway")
    payload = decode_data(event)            # a frozen pydantic model, or a CodecError naming the field

Peer formats (Seldon Core executor, KServe logger, alibi-detect server) accept unknown fields;
Warden's own types (`io.warden.*.v1`) forbid them. New types are added to a module's `SPECS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

from cloudevents.core.v1.event import CloudEvent
from pydantic import BaseModel

from warden_common.codec import Event
from warden_common.events import batch, catalog, deployments, detectors, gitops, inference
from warden_common.events.batch import BATCH_WORK_ITEM
from warden_common.events.catalog import MODEL_DELETED, MODEL_REGISTERED, MODEL_UPDATED
from warden_common.events.deployments import (
    DEPLOYMENT_CREATED,
    DEPLOYMENT_DELETED,
    DEPLOYMENT_STATUS_CHANGED,
    DEPLOYMENT_UPDATED,
)
from warden_common.events.detectors import FEEDBACK_METRICS, KSERVE_DRIFT, KSERVE_OUTLIER, SELDON_DRIFT, SELDON_OUTLIER
from warden_common.events.gitops import GITOPS_DEPLOYMENT_CHANGED
from warden_common.events.inference import (
    KSERVE_REQUEST,
    KSERVE_RESPONSE,
    SELDON_FEEDBACK,
    SELDON_REQUEST,
    SELDON_RESPONSE,
    InferenceExtensions,
    correlation_id,
)
from warden_common.events.registry import EventRegistry, EventSpec, OpaquePayload

ModelT = TypeVar("ModelT", bound=BaseModel)

registry = EventRegistry(
    [*inference.SPECS, *batch.SPECS, *detectors.SPECS, *deployments.SPECS, *catalog.SPECS, *gitops.SPECS]
)
"""Every event type Warden produces or consumes."""


def decode_data(event: Event) -> BaseModel:
    """The typed payload of `event` (see `EventRegistry.decode_data`)."""
    return registry.decode_data(event)


def decode_data_as(event: Event, model: type[ModelT]) -> ModelT:
    """The typed payload of `event`, which must be a `model` (see `EventRegistry.decode_data_as`)."""
    return registry.decode_data_as(event, model)


def build_event(
    type_: str,
    data: BaseModel | Mapping[str, Any] | bytes,
    *,
    source: str,
    extensions: Mapping[str, str] | None = None,
    id: str | None = None,
    time: datetime | None = None,
    datacontenttype: str | None = None,
) -> CloudEvent:
    """A validated CloudEvent of a registered type (see `EventRegistry.build_event`)."""
    return registry.build_event(
        type_, data, source=source, extensions=extensions, id=id, time=time, datacontenttype=datacontenttype
    )


__all__ = [
    "BATCH_WORK_ITEM",
    "DEPLOYMENT_CREATED",
    "DEPLOYMENT_DELETED",
    "DEPLOYMENT_STATUS_CHANGED",
    "DEPLOYMENT_UPDATED",
    "FEEDBACK_METRICS",
    "GITOPS_DEPLOYMENT_CHANGED",
    "KSERVE_DRIFT",
    "KSERVE_OUTLIER",
    "KSERVE_REQUEST",
    "KSERVE_RESPONSE",
    "MODEL_DELETED",
    "MODEL_REGISTERED",
    "MODEL_UPDATED",
    "SELDON_DRIFT",
    "SELDON_FEEDBACK",
    "SELDON_OUTLIER",
    "SELDON_REQUEST",
    "SELDON_RESPONSE",
    "EventRegistry",
    "EventSpec",
    "InferenceExtensions",
    "OpaquePayload",
    "build_event",
    "correlation_id",
    "decode_data",
    "decode_data_as",
    "registry",
]
