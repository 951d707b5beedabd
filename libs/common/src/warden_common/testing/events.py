"""Events for tests that only need some valid CloudEvent carrying some JSON data."""

from __future__ import annotations

from typing import Any

from cloudevents.core.v1.event import CloudEvent

SAMPLE_TYPE = "io.warden.test.happened.v1"


def sample_event(source: str, **data: Any) -> CloudEvent:
    """A new event (fresh id) of type `SAMPLE_TYPE` from `source`, with `data` as its JSON data."""
    return CloudEvent({"type": SAMPLE_TYPE, "source": source, "datacontenttype": "application/json"}, data=data)
