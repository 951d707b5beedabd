"""Codec errors name what is wrong with an incoming event, so callers can answer 4xx or dead-letter it.

Every error here is a `CodecError` (a `BadRequest`): an HTTP route renders it through the shared
handler, a bus consumer dead-letters the record with `str(error)` as the reason. The subclasses exist so
callers and tests can tell the problems apart; `details` carries the machine-readable part.
"""

from __future__ import annotations

from collections.abc import Sequence

from warden_common.errors import BadRequest


class CodecError(BadRequest):
    """An incoming message is not a valid CloudEvent (or its payload is not what its type requires)."""

    code = "invalid_cloudevent"


class MissingAttributesError(CodecError):
    """One or more required context attributes are absent (all of them are named at once)."""

    code = "missing_cloudevent_attributes"

    def __init__(self, missing: Sequence[str], *, where: str) -> None:
        self.missing = tuple(missing)
        names = ", ".join(f"'{name}'" for name in self.missing)
        plural = "s" if len(self.missing) > 1 else ""
        super().__init__(
            f"{where}: missing required CloudEvent attribute{plural} {names}",
            details={"missing": list(self.missing)},
        )


class InvalidAttributeError(CodecError):
    """A context attribute is present but its value is not acceptable (bad time, bad extension name...)."""

    code = "invalid_cloudevent_attribute"

    def __init__(self, problems: dict[str, str], *, where: str) -> None:
        self.problems = dict(problems)
        text = "; ".join(f"'{name}': {why}" for name, why in self.problems.items())
        super().__init__(f"{where}: invalid CloudEvent attribute {text}", details={"attributes": self.problems})


class UnsupportedSpecVersionError(CodecError):
    """Only CloudEvents 1.0 is accepted (every peer we speak to sends 1.0)."""

    code = "unsupported_specversion"

    def __init__(self, specversion: object, *, where: str) -> None:
        self.specversion = specversion
        super().__init__(
            f"{where}: unsupported CloudEvents specversion {specversion!r}; only '1.0' is accepted",
            details={"specversion": str(specversion)},
        )


class InvalidJsonError(CodecError):
    """A body declared as JSON does not parse; says where it failed."""

    code = "invalid_json"

    def __init__(self, what: str, *, reason: str, line: int, column: int, position: int) -> None:
        self.line, self.column, self.position = line, column, position
        super().__init__(
            f"{what} is not valid JSON: {reason} at line {line} column {column} (char {position})",
            details={"line": line, "column": column, "position": position},
        )


class UnsupportedContentTypeError(CodecError):
    """The content type cannot be carried by this mode (e.g. structured mode in a non-JSON event format)."""

    status_code = 415
    code = "unsupported_content_type"


class PayloadTooLargeError(CodecError):
    """The body exceeds the configured limit; answered with 413 rather than silently dropped."""

    status_code = 413
    code = "payload_too_large"

    def __init__(self, size: int, limit: int) -> None:
        self.size, self.limit = size, limit
        super().__init__(
            f"event body of {size} bytes exceeds the limit of {limit} bytes",
            details={"size": size, "limit": limit},
        )


class UnknownEventTypeError(CodecError):
    """No payload model is registered for this CloudEvent type."""

    code = "unknown_event_type"


class InvalidEventDataError(CodecError):
    """The event data does not match the payload model of its type; `details` lists every field path."""

    code = "invalid_event_data"
