"""Context-attribute checks shared by every binding, run before the library builds the event.

`cloudevents.core.v1.event.CloudEvent` fills in a missing `id`/`specversion` by itself (fine for events
we create, wrong for events we receive: a missing id must be reported, not invented), and it reports
problems as one library exception. The factory below checks first, then translates whatever the
library still finds into `CodecError`s that name the attribute.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from cloudevents.core.exceptions import CloudEventValidationError
from cloudevents.core.v1.event import CloudEvent

from warden_common.codec._time import parse_timestamp
from warden_common.codec.errors import InvalidAttributeError, MissingAttributesError, UnsupportedSpecVersionError

REQUIRED_ATTRIBUTES = ("id", "source", "type", "specversion")
SPECVERSION = "1.0"

EventFactory = Callable[[dict[str, Any], Any], CloudEvent]


def check_required(attributes: Mapping[str, Any], *, where: str) -> None:
    """Raise one error naming every missing (or empty) required attribute, then check the specversion."""
    missing = [name for name in REQUIRED_ATTRIBUTES if attributes.get(name) in (None, "")]
    if missing:
        raise MissingAttributesError(missing, where=where)
    if attributes["specversion"] != SPECVERSION:
        raise UnsupportedSpecVersionError(attributes["specversion"], where=where)


def check_time(raw: object, *, where: str) -> None:
    """Validate a wire `time` value before the library parses it (its own error would not say which attribute)."""
    if raw is not None:
        parse_time(raw, where=where)


def parse_time(raw: object, *, where: str) -> datetime:
    """A wire `time` value as an aware datetime, or an `InvalidAttributeError` naming the attribute."""
    if not isinstance(raw, str):
        raise InvalidAttributeError({"time": f"must be an RFC 3339 string, got {type(raw).__name__}"}, where=where)
    try:
        parsed = parse_timestamp(raw)
    except (ValueError, OverflowError) as exc:
        raise InvalidAttributeError({"time": f"{raw!r} is not an RFC 3339 timestamp ({exc})"}, where=where) from exc
    if parsed.tzinfo is None:
        raise InvalidAttributeError({"time": f"{raw!r} has no time zone offset"}, where=where)
    return parsed


def new_event(attributes: Mapping[str, Any], data: Any, *, where: str) -> CloudEvent:
    """Build a v1.0 event from already-decoded attributes; never mutates `attributes`."""
    check_required(attributes, where=where)
    # The library keeps (and may add keys to) the dict it is given: hand it our own copy.
    return build_event(dict(attributes), data, where=where)


def build_event(attributes: dict[str, Any], data: Any, *, where: str) -> CloudEvent:
    """Construct the event (the library validates once more), taking ownership of `attributes`.

    Only for attributes that already passed `check_required`; the library's own findings (bad extension
    names, empty optional attributes, wrong types) become an `InvalidAttributeError` naming each attribute.
    """
    try:
        return CloudEvent(attributes, data)
    except CloudEventValidationError as exc:
        problems = {name: "; ".join(str(e) for e in errors) for name, errors in exc.errors.items()}
        raise InvalidAttributeError(problems, where=where) from exc


def require_v1(event: object, *, where: str) -> CloudEvent:
    """Narrow what a library binding returned; the checked factory only ever builds v1.0 events."""
    if not isinstance(event, CloudEvent):  # pragma: no cover - defensive, see `check_required`
        raise UnsupportedSpecVersionError(getattr(event, "get_specversion", lambda: "?")(), where=where)
    return event


def checked_factory(where: str) -> EventFactory:
    """An `event_factory` for the library's bindings that runs our checks first."""

    def factory(attributes: dict[str, Any], data: Any) -> CloudEvent:
        return new_event(attributes, data, where=where)

    return factory
