"""What an incoming event is (request, response, feedback, outlier, drift) and which engine sent it."""

from __future__ import annotations

from typing import Literal

from warden_common.events.inference import KSERVE_TYPE_PREFIX, SELDON_TYPE_PREFIX
from warden_common.logstore import PartName

Engine = Literal["seldon", "inferenceservice"]

_SUFFIXES: tuple[tuple[str, PartName], ...] = (
    (".inference.request", "request"),
    (".inference.response", "response"),
    (".inference.outlier", "outlier"),
    (".inference.drift", "drift"),
    (".feedback", "feedback"),
)

IGNORED_TYPES = frozenset({"io.seldon.serving.feedback.metrics"})
"""Metrics-server replies carry counters for Prometheus, nothing about the instance: acknowledged, not stored."""


class NotAnInferenceEvent(ValueError):
    """The event type is none the logger stores (the reason goes to the dead-letter record or the 400)."""


def part_of(event_type: str) -> PartName:
    """`io.seldon.serving.inference.request` -> `request`; raises `NotAnInferenceEvent` for other types."""
    if event_type.startswith((SELDON_TYPE_PREFIX + ".", KSERVE_TYPE_PREFIX + ".")):
        for suffix, part in _SUFFIXES:
            if event_type.endswith(suffix):
                return part
    raise NotAnInferenceEvent(
        f"event type {event_type!r} is not an inference request/response/feedback/outlier/drift event "
        f"of Seldon ({SELDON_TYPE_PREFIX}.*) or KServe ({KSERVE_TYPE_PREFIX}.*)"
    )


def engine_of(event_type: str) -> Engine:
    return "inferenceservice" if event_type.startswith(KSERVE_TYPE_PREFIX) else "seldon"
