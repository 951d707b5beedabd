"""The event types the codec hands out.

`Event` is what consumers should accept: the `cloudevents` library's own contract for CloudEvent implementations
(`BaseCloudEvent`: `get_id()`, `get_type()`, `get_extension(name)`, `get_data()`, `get_attributes()`, ...).
Events we create are the library's `CloudEvent`; events decoded from Kafka records are `ReceivedEvent`s. Both
satisfy `Event`.

Why a second implementation: the library's `CloudEvent` validates every attribute in its constructor (~7 us, a
regular expression per extension name), after our codec already checked the same things while reading the
record. A bus consumer pays that for every record, which made it several times slower than the raw Kafka client
under it. `ReceivedEvent` is checked once, by the codec, with the library's own rules and messages
(`envelope.check_envelope`), and can defer the two costly parts of a record to their first use:
- `time` is parsed when `get_time()` (or `get_attributes()`) is first called;
- the data is decoded when `get_data()` is first called.
A deferred part that turns out malformed raises the same `CodecError` the eager decode would have raised; the bus
treats that as permanent and dead-letters the record at once with the reason (see `warden_common.bus.delivery`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cloudevents.core.base import BaseCloudEvent

from warden_common.codec._attributes import check_required, parse_time
from warden_common.codec._format import is_json_content_type
from warden_common.codec._structured import FORMAT
from warden_common.codec.envelope import check_envelope

Event = BaseCloudEvent

_DATACONTENTTYPE = "datacontenttype"
_WHERE = "event"


class ReceivedEvent(BaseCloudEvent):
    """A CloudEvents 1.0 event read from the wire; see the module docstring for what is deferred."""

    __slots__ = ("_attributes", "_data", "_data_pending", "_time_pending", "_where")

    def __init__(self, attributes: dict[str, Any], data: dict[str, Any] | str | bytes | None = None) -> None:
        """A fully decoded event (the `BaseCloudEvent` constructor); checked like the library's `CloudEvent`.

        Unlike the library, a missing `id` is an error here, not replaced by a random one: a received event
        that lost its id must be reported. Takes ownership of `attributes`.
        """
        check_required(attributes, where=_WHERE)
        time = attributes.get("time")
        if time is None:
            attributes["time"] = datetime.now(UTC)  # as the library's constructor does
        elif not isinstance(time, datetime):
            attributes["time"] = parse_time(time, where=_WHERE)
        check_envelope(attributes, where=_WHERE)
        self._attributes = attributes
        self._data: Any = data
        self._data_pending = False
        self._time_pending = False
        self._where = _WHERE

    @classmethod
    def deferred(cls, attributes: dict[str, Any], body: bytes, *, time_pending: bool, where: str) -> ReceivedEvent:
        """An event whose envelope the codec has checked; `time` (when `time_pending`) and data decoded on use.

        `attributes` must already have passed `check_required` and `check_envelope`; a pending `time` is still
        the wire text, in its place in the attribute order. `where` names the source in a later decode error.
        """
        return cls._assemble(attributes, body, data_pending=True, time_pending=time_pending, where=where)

    @classmethod
    def checked(cls, attributes: dict[str, Any], data: Any, *, where: str) -> ReceivedEvent:
        """An event the codec has fully decoded and checked (`time` parsed, data decoded)."""
        return cls._assemble(attributes, data, data_pending=False, time_pending=False, where=where)

    @classmethod
    def _assemble(
        cls, attributes: dict[str, Any], data: Any, *, data_pending: bool, time_pending: bool, where: str
    ) -> ReceivedEvent:
        # Skips __init__ on purpose: its checks are the ones the codec has already made.
        event = cls.__new__(cls)
        event._attributes = attributes
        event._data = data
        event._data_pending = data_pending
        event._time_pending = time_pending
        event._where = where
        return event

    def get_id(self) -> str:
        return self._attributes["id"]  # type: ignore[no-any-return]

    def get_source(self) -> str:
        return self._attributes["source"]  # type: ignore[no-any-return]

    def get_type(self) -> str:
        return self._attributes["type"]  # type: ignore[no-any-return]

    def get_specversion(self) -> str:
        return self._attributes["specversion"]  # type: ignore[no-any-return]

    def get_datacontenttype(self) -> str | None:
        return self._attributes.get(_DATACONTENTTYPE)

    def get_dataschema(self) -> str | None:
        return self._attributes.get("dataschema")

    def get_subject(self) -> str | None:
        return self._attributes.get("subject")

    def get_time(self) -> datetime | None:
        if self._time_pending:
            self._resolve_time()
        return self._attributes.get("time")

    def get_extension(self, extension_name: str) -> Any:
        if extension_name == "time" and self._time_pending:
            self._resolve_time()
        return self._attributes.get(extension_name)

    def get_data(self) -> dict[str, Any] | str | bytes | None:
        if self._data_pending:
            self._data = FORMAT.read_data(self._data, self._attributes.get(_DATACONTENTTYPE))
            self._data_pending = False
        return self._data  # type: ignore[no-any-return]

    def pending_json_data(self) -> bytes | None:
        """The data's JSON text as it came, while it has not been decoded (else None: use `get_data()`).

        For a reader that makes its own output straight from the text (the request logger's compiled path); it
        must fall back to `get_data()` for any text it does not take, so that malformed data is still reported.
        """
        if self._data_pending and self._data and is_json_content_type(self._attributes.get(_DATACONTENTTYPE)):
            return self._data  # type: ignore[no-any-return]
        return None

    def get_attributes(self) -> dict[str, Any]:
        if self._time_pending:
            self._resolve_time()
        return self._attributes

    def _resolve_time(self) -> None:
        # Replaced in place, so the attribute keeps its position (the order headers arrived in).
        self._attributes["time"] = parse_time(self._attributes["time"], where=self._where)
        self._time_pending = False

    def __repr__(self) -> str:
        return f"ReceivedEvent(type={self.get_type()!r}, source={self.get_source()!r}, id={self.get_id()!r})"
