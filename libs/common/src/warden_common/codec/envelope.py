"""The checks the library's `CloudEvent` constructor makes beyond the required attributes, made cheaply.

`cloudevents.core.v1.event.CloudEvent` rejects empty optional attributes (`subject`, `datacontenttype`,
`dataschema`) and extension names that are not lowercase letters and digits (or are the reserved `data`). Events
the codec decodes are `ReceivedEvent`s, which skip the library's constructor, so the same rules are applied
here: with the library's own messages, which we take from the library itself (by letting it judge one probe event
per distinct name, then caching the verdict), not from a copy of its rules. Required attributes and `time` are
checked by `_attributes` before this runs.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from cloudevents.core.exceptions import CloudEventValidationError
from cloudevents.core.v1.event import OPTIONAL_ATTRIBUTES, REQUIRED_ATTRIBUTES, CloudEvent

from warden_common.codec.errors import InvalidAttributeError

_CONTEXT_ATTRIBUTES = frozenset(REQUIRED_ATTRIBUTES) | frozenset(OPTIONAL_ATTRIBUTES)
_MUST_NOT_BE_EMPTY = ("subject", "datacontenttype", "dataschema")
_PROBE = {"id": "probe", "source": "probe", "type": "probe", "specversion": "1.0"}
_MAX_CACHED_NAMES = 1024  # a few dozen extension names recur; the bound only guards odd input


def check_envelope(attributes: Mapping[str, Any], *, where: str, names_known_valid: bool = False) -> None:
    """Raise an `InvalidAttributeError` naming every attribute the library's constructor would reject.

    `names_known_valid`: the caller vouches that every attribute name already has a clean `library_verdict`
    (the Kafka codec's fast path only reads header names it has checked), so only the values are looked at.
    """
    problems: dict[str, str] | None = None
    for name in _MUST_NOT_BE_EMPTY:
        if name in attributes and not attributes[name]:
            problems = problems or {}
            problems[name] = library_verdict(name, empty=True) or f"Attribute '{name}' must not be empty"
    if not names_known_valid:
        for name in attributes:
            if name not in _CONTEXT_ATTRIBUTES:
                verdict = library_verdict(name, empty=False)
                if verdict is not None:
                    problems = problems or {}
                    problems[name] = verdict
    if problems:
        raise InvalidAttributeError(problems, where=where)


def valid_name(name: str) -> bool:
    """True when the library accepts an attribute called `name` (a context attribute or a valid extension)."""
    return name in _CONTEXT_ATTRIBUTES or library_verdict(name, empty=False) is None


@functools.lru_cache(maxsize=_MAX_CACHED_NAMES)
def library_verdict(name: str, *, empty: bool) -> str | None:
    """What the library's constructor says about attribute `name` (holding "" when `empty`), None if nothing.

    Extension values are not judged by the library (any value passes), so the verdict on a name holds for every
    event that uses it.
    """
    try:
        CloudEvent({**_PROBE, name: "" if empty else "probe"})
    except CloudEventValidationError as exc:
        return "; ".join(str(error) for error in exc.errors.get(name, ())) or None
    return None
