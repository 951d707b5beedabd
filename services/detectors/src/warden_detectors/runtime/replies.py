"""Replies on `topics.DETECTIONS` as the alibi-detect server sends them (protocols.md §5).

A reply to an event keeps that event's id and every extension it carries (requestid, modelid,
inferenceservicename, namespace, endpoint, ...), so the request logger merges it into the logged request. Its
ce-type is `config.deployment.event_type` if set, else the kind's standard type for the event's engine (Seldon
or KServe); its source `config.deployment.event_source`, else the detector's own path.
"""

from __future__ import annotations

from typing import Any

from cloudevents.core.v1.event import CloudEvent

from warden_common.codec import Event
from warden_common.events import build_event
from warden_common.events.inference import KSERVE_TYPE_PREFIX
from warden_detectors.configs.model import StoredDetector
from warden_detectors.runtime.kinds import DetectorKind, Outcome

_CORE = frozenset({"id", "source", "type", "specversion", "time", "datacontenttype", "dataschema", "subject"})


def reply_type(detector: StoredDetector, kind: DetectorKind, answered: Event | None) -> str:
    configured = detector.deployment_config.get("event_type")
    if isinstance(configured, str) and configured:
        return configured
    seldon, kserve = kind.reply_types
    if answered is not None and answered.get_type().startswith(KSERVE_TYPE_PREFIX):
        return kserve
    return seldon if detector.key.deployment.kind == "SeldonDeployment" else kserve


def reply_source(detector: StoredDetector) -> str:
    configured = detector.deployment_config.get("event_source")
    if isinstance(configured, str) and configured:
        return configured
    key = detector.key
    return f"/warden/detectors/{key.deployment.namespace}/{key.deployment.name}/{key.kind}/{key.name}"


def reply_event(detector: StoredDetector, kind: DetectorKind, outcome: Outcome) -> CloudEvent:
    answered = outcome.answers
    if answered is not None:
        extensions = _extensions(answered)
        event_id: str | None = answered.get_id()
    else:
        d = detector.key.deployment
        extensions = {"namespace": d.namespace, "inferenceservicename": d.name}
        event_id = None
    return build_event(
        reply_type(detector, kind, answered),
        dict(outcome.data),
        source=reply_source(detector),
        extensions=extensions,
        id=event_id,
    )


def _extensions(event: Event) -> dict[str, str]:
    attributes: dict[str, Any] = event.get_attributes()
    return {name: str(value) for name, value in attributes.items() if name not in _CORE and value is not None}
