"""The registry of event types: Event `type` -> payload model, plus validating build/decode.

Producers call `build_event` (the data is validated against the registered model before anything is
sent); consumers call `decode_data` (a typed, frozen model, or a `CodecError` naming the field path).
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from cloudevents.core.v1.event import CloudEvent
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from warden_common.codec import Event
from warden_common.codec._attributes import SPECVERSION, new_event
from warden_common.codec._format import DEFAULT_DATA_CONTENT_TYPE
from warden_common.codec.errors import CodecError, InvalidEventDataError, UnknownEventTypeError
from warden_common.events.protocols import PROTOCOL_TAGS

ModelT = TypeVar("ModelT", bound=BaseModel)

_CORE_ATTRIBUTES = frozenset(
    {"id", "source", "type", "specversion", "time", "datacontenttype", "dataschema", "subject", "data"}
)


class OpaquePayload(BaseModel):
    """A body that is not JSON (gRPC `application/protobuf`, images...), for types that may carry one."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    content_type: str | None
    body: bytes


@dataclass(frozen=True)
class EventSpec:
    """One registered event type.

    `payload` is a pydantic model class or an annotated union of them. `peer` marks formats another
    system defines (validated leniently, passed through as received); `allows_opaque` marks types
    whose data may be a non-JSON body, decoded as `OpaquePayload`.
    """

    type: str
    payload: Any
    description: str
    peer: bool = False
    allows_opaque: bool = False
    adapter: TypeAdapter[Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "adapter", TypeAdapter(self.payload))

    def validate(self, data: Any) -> BaseModel:
        """The payload model for `data` (a mapping or a model instance); `InvalidEventDataError` if it does not fit."""
        try:
            model = self.adapter.validate_python(data)
        except ValidationError as exc:
            raise _invalid_data(self.type, exc) from exc
        if not isinstance(model, BaseModel):  # pragma: no cover - every registered payload is a model or union of them
            raise InvalidEventDataError(f"payload of {self.type!r} did not validate to a model")
        return model

    def wire_data(self, data: BaseModel | Mapping[str, Any], model: BaseModel) -> Any:
        """JSON data for the event: peers' payloads as given (copied), ours as the full dump of the validated model."""
        if self.peer:
            if isinstance(data, BaseModel):
                return data.model_dump(mode="json", by_alias=True, exclude_unset=True)
            return copy.deepcopy(dict(data))  # as received, without sharing the caller's dict
        return model.model_dump(mode="json", by_alias=True)


class EventRegistry:
    """CloudEvent type -> `EventSpec`. One shared instance (`warden_common.events.registry`) holds every type."""

    def __init__(self, specs: Iterable[EventSpec] = ()) -> None:
        self._specs: dict[str, EventSpec] = {}
        for spec in specs:
            self.register(spec)

    def register(self, spec: EventSpec) -> EventSpec:
        if spec.type in self._specs:
            raise ValueError(f"event type {spec.type!r} is already registered")
        self._specs[spec.type] = spec
        return spec

    def get(self, type_: str) -> EventSpec | None:
        return self._specs.get(type_)

    def __getitem__(self, type_: str) -> EventSpec:
        spec = self._specs.get(type_)
        if spec is None:
            raise UnknownEventTypeError(f"no payload model is registered for event type {type_!r}")
        return spec

    def __contains__(self, type_: object) -> bool:
        return type_ in self._specs

    def __iter__(self) -> Iterator[EventSpec]:
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)

    def types(self) -> list[str]:
        return sorted(self._specs)

    def decode_data(self, event: Event) -> BaseModel:
        """The typed payload of `event`; `CodecError` subclasses say what does not fit and where."""
        spec = self[event.get_type()]
        data = event.get_data()
        if isinstance(data, bytes | bytearray):
            if spec.allows_opaque:
                return OpaquePayload(content_type=event.get_datacontenttype(), body=bytes(data))
            raise InvalidEventDataError(
                f"payload of {spec.type!r} must be JSON, got {len(data)} bytes of "
                f"{event.get_datacontenttype() or 'unknown content type'}"
            )
        return spec.validate(data)

    def decode_data_as(self, event: Event, model: type[ModelT]) -> ModelT:
        """`decode_data`, narrowed to the model the caller expects (for typed consumers)."""
        decoded = self.decode_data(event)
        if not isinstance(decoded, model):
            raise InvalidEventDataError(
                f"payload of {event.get_type()!r} is a {type(decoded).__name__}, not a {model.__name__}"
            )
        return decoded

    def build_event(
        self,
        type_: str,
        data: BaseModel | Mapping[str, Any] | bytes,
        *,
        source: str,
        extensions: Mapping[str, str] | None = None,
        id: str | None = None,
        time: datetime | None = None,
        datacontenttype: str | None = None,
    ) -> CloudEvent:
        """A CloudEvent of a registered type, its data validated against the registered model first.

        `id` defaults to a new UUID4 and `time` to now (UTC). Raw `bytes` are only allowed for types that
        may carry a non-JSON body and then need `datacontenttype`. Inputs are never mutated or shared.
        """
        spec = self[type_]
        where = f"building {type_!r}"
        if isinstance(data, bytes | bytearray):
            if not spec.allows_opaque or not datacontenttype:
                raise CodecError(f"{where}: raw bytes need a type that allows them and a datacontenttype")
            wire: Any = bytes(data)
        else:
            if not isinstance(data, BaseModel | Mapping):
                raise InvalidEventDataError(f"{where}: data must be a model or a mapping, got {type(data).__name__}")
            wire = spec.wire_data(data, spec.validate(data))
        clashes = sorted(_CORE_ATTRIBUTES.intersection(extensions or {}))
        if clashes:
            raise CodecError(f"{where}: extensions may not set core attributes {clashes}")
        attributes: dict[str, Any] = {
            **dict(extensions or {}),
            "specversion": SPECVERSION,
            "id": id or str(uuid.uuid4()),
            "type": type_,
            "source": source,
            "time": time or datetime.now(UTC),
            "datacontenttype": datacontenttype or DEFAULT_DATA_CONTENT_TYPE,
        }
        return new_event(attributes, wire, where=where)


def field_path(loc: tuple[int | str, ...]) -> str:
    """`("inputs", 0, "datatype")` -> `inputs[0].datatype`; a leading protocol tag is dropped (it is reported apart)."""
    parts = list(loc[1:] if loc and loc[0] in PROTOCOL_TAGS else loc)
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(payload)"


def _invalid_data(type_: str, exc: ValidationError) -> InvalidEventDataError:
    details = []
    for error in exc.errors(include_url=False):
        loc = tuple(error.get("loc", ()))
        entry = {"path": field_path(loc), "msg": error.get("msg", ""), "type": error.get("type", "")}
        if loc and loc[0] in PROTOCOL_TAGS:
            entry["protocol"] = str(loc[0])
        details.append(entry)
    described = "; ".join(
        f"{d['path']}: {d['msg']}" + (f" (as {d['protocol']})" if "protocol" in d else "") for d in details
    )
    return InvalidEventDataError(f"payload of {type_!r} is invalid: {described}", details=details)
