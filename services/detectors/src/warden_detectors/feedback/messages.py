"""A feedback's `truth` or `response` as a whole message -> its rows (one per instance), through the shared parser.

A Seldon feedback is `{request?, response?, reward?, truth?}`, each part a Seldon message (`{"data": {"ndarray":
...}}`, `tensor`, ...); V2 and TensorFlow responses are read the same way (`warden_common.payloads.parse_response`).
`FeedbackMetricsServer.counts` takes either such a message or rows already extracted (lists / numpy arrays), so the
runtime may hand over the feedback's parts as they came.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from warden_common.payloads import PayloadShapeError, parse_response
from warden_detectors.feedback.errors import FeedbackError


def rows_of(value: Any, what: str) -> Any:
    """`value` unchanged unless it is a message (a JSON object); then the rows of its instances."""
    if not isinstance(value, Mapping):
        return value
    try:
        parsed = parse_response(dict(value))
    except PayloadShapeError as exc:
        raise FeedbackError(f"{what}: {exc}") from None
    if parsed.protocol == "unparsed" or not parsed.instances:
        raise FeedbackError(
            f"{what} has no instances (expected a Seldon message such as {{'data': {{'ndarray': ...}}}})"
        )
    rows: list[Any] = []
    for instance in parsed.instances:
        if instance.columns is not None:
            rows.append(instance.columns)
        elif instance.named is not None:
            values = list(instance.named.values())
            if len(values) != 1:
                raise FeedbackError(
                    f"{what} has {len(values)} named outputs per instance; a metrics server compares one"
                )
            rows.append(values[0])
        else:
            rows.append(instance.instance)
    return rows
