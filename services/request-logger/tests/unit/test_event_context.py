"""What every document of an event shares (`EventContext`), with what it remembers per deployment (no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from cloudevents.core.v1.event import CloudEvent

from warden_request_logger.documents import UNKNOWN, EventContext
from warden_request_logger.kinds import NotAnInferenceEvent

WHEN = datetime(2026, 1, 2, 3, 4, 5, 678, tzinfo=UTC)


def event(kind: str = "io.seldon.serving.inference.request", **extensions: Any) -> CloudEvent:
    attributes = {"type": kind, "source": "http://executor/", "id": "ce-1", "time": WHEN, **extensions}
    return CloudEvent(attributes, data={})


def test_events_of_one_deployment_share_what_it_stands_for_but_not_their_own_ids() -> None:
    first = EventContext.of(event(requestid="r1", namespace="ns", inferenceservicename="iris", modelid="m",
                                  protocol="seldon"))  # fmt: skip
    second = EventContext.of(event(requestid="r2", namespace="ns", inferenceservicename="iris", modelid="m",
                                   protocol="seldon"))  # fmt: skip
    assert (first.request_id, second.request_id) == ("r1", "r2")
    assert first.common == {"requestId": "r1", "endpoint": "default", "engine": "seldon", "modelId": "m",
                            "protocol": "seldon", "timestamp": WHEN.isoformat()}  # fmt: skip
    assert second.common["requestId"] == "r2" and first.common is not second.common
    assert first.ref == second.ref and (first.ref.namespace, first.ref.deployment) == ("ns", "iris")


def test_each_extension_value_counts() -> None:
    other = EventContext.of(event(requestid="r1", namespace="ns", inferenceservicename="iris", modelid="m2",
                                  endpoint="canary"))  # fmt: skip
    assert (other.model_id, other.endpoint, other.common["modelId"]) == ("m2", "canary", "m2")
    response = EventContext.of(event("org.kubeflow.serving.inference.response", namespace="ns"))
    assert (response.part, response.common["engine"], response.request_id) == ("response", "inferenceservice", "ce-1")
    assert response.ref.deployment == UNKNOWN
    feedback = EventContext.of(event("io.seldon.serving.feedback", namespace="", modelid="m"))
    assert feedback.part == "feedback" and "timestamp" not in feedback.common and "modelId" not in feedback.common
    assert feedback.ref.namespace == UNKNOWN


def test_values_that_cannot_be_remembered_are_still_read_and_unknown_types_always_refused() -> None:
    listed = EventContext.of(event(requestid="r1", namespace=["a", "b"]))  # a list in a structured-mode event
    assert listed.ref.namespace == "['a', 'b']"
    for _ in range(2):
        with pytest.raises(NotAnInferenceEvent):
            EventContext.of(event("com.example.other"))


def test_requests_and_responses_say_which_life_of_the_deployment_served_them_later_parts_do_not() -> None:
    request = EventContext.of(event(requestid="r1", namespace="ns", inferenceservicename="iris",
                                    deploymentuid="uid-2"))  # fmt: skip
    response = EventContext.of(event("io.seldon.serving.inference.response", requestid="r1", namespace="ns",
                                     inferenceservicename="iris", deploymentuid="uid-2"))  # fmt: skip
    assert request.common["deploymentUid"] == response.common["deploymentUid"] == "uid-2"
    # Feedback sent to a later deployment of the name for a request of an earlier one must not move that request.
    feedback = EventContext.of(event("io.seldon.serving.feedback", requestid="r1", namespace="ns",
                                     inferenceservicename="iris", deploymentuid="uid-3"))  # fmt: skip
    assert "deploymentUid" not in feedback.common
    external = EventContext.of(event(requestid="r2", namespace="ns", inferenceservicename="iris"))
    assert "deploymentUid" not in external.common  # a real executor's event: no life known


def test_load_test_traffic_is_marked_on_requests_and_responses_and_real_traffic_is_not() -> None:
    request = EventContext.of(event(requestid="r1", namespace="ns", inferenceservicename="iris", loadtest="lt-1"))
    response = EventContext.of(event("io.seldon.serving.inference.response", requestid="r1", namespace="ns",
                                     inferenceservicename="iris", loadtest="lt-1"))  # fmt: skip
    assert request.common["loadTest"] == response.common["loadTest"] == "lt-1"
    real = EventContext.of(event(requestid="r2", namespace="ns", inferenceservicename="iris"))
    assert "loadTest" not in real.common
