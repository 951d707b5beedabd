"""The CloudEvents Kafka binding in binary mode, written for the bus's hot path.

Every record on every bus goes through here twice (publish and consume), so this does in one pass what
`cloudevents.core.bindings.kafka.to_binary` / `from_binary` plus our checks did in several: header names are
normalised once per distinct name, each attribute is checked once, `time` is parsed once (`_time`) and the data
is decoded once (`_json`). The output is exactly the library binding's: the same headers in the same order,
the same attribute dict, the same errors in the same order (required attributes, `time`, the data, then the
library's own validation when the event is constructed). `tests/unit/test_codec_kafka_fast_path.py` compares
both, value for value and message for message.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from cloudevents.core.base import BaseCloudEvent

from warden_common.codec._attributes import SPECVERSION, check_required, parse_time
from warden_common.codec._structured import FORMAT
from warden_common.codec.envelope import check_envelope, valid_name
from warden_common.codec.errors import InvalidAttributeError, UnsupportedSpecVersionError
from warden_common.codec.event import ReceivedEvent

KafkaHeaders = tuple[tuple[str, bytes], ...]
RawHeaders = Iterable[tuple[str, bytes | None]]

CE_PREFIX = "ce_"
CONTENT_TYPE = "content-type"
DATACONTENTTYPE = "datacontenttype"

_MAX_CACHED_NAMES = 1024  # the same dozen names arrive on every record; the bound only guards odd input
_HeaderName = tuple[str, str | None, bool]  # lower-cased name, the attribute it carries, is it a ce_ header
_HEADER_NAMES: dict[str, _HeaderName] = {}
_ATTRIBUTE_HEADERS: dict[str, str] = {}  # attribute -> header name when writing
_ATTRIBUTE_OF_HEADER: dict[str, str] = {}  # header name on the wire -> its attribute, for valid names only


def encode_binary(event: BaseCloudEvent, key: str | bytes | None) -> tuple[bytes | None, KafkaHeaders, bytes]:
    """(key, headers, value) exactly as `ce_kafka.to_binary(event, FORMAT, key_mapper=lambda _: key)` gives them."""
    headers: list[tuple[str, bytes]] = []
    attributes = event.get_attributes()
    for name, value in attributes.items():
        if value is None:
            continue
        header = _ATTRIBUTE_HEADERS.get(name)
        if header is None:
            header = _header_for(name)
        if type(value) is str:
            text = value
        elif name != DATACONTENTTYPE and isinstance(value, datetime):
            text = value.isoformat()
            if text.endswith("+00:00"):
                text = text[:-6] + "Z"
        else:
            text = str(value)
        headers.append((header, text.encode("utf-8")))
    body = FORMAT.write_data(event.get_data(), attributes.get(DATACONTENTTYPE))
    raw_key = key.encode() if isinstance(key, str) else key
    return raw_key, tuple(headers), body


def read_binary_attributes(headers: Sequence[tuple[str, bytes | None]]) -> dict[str, Any] | None:
    """The attributes of a record whose every header is a known attribute header, else None.

    The bus's own records (written by `encode_binary`) always qualify once their header names have been seen:
    this is `read_headers` without the work such records do not need (the full header map, the duplicate
    bookkeeping). Anything else -- a header carrying no attribute, a name seen for the first time, two headers
    for one attribute, a value that is not UTF-8, no `ce_specversion` -- gets None, and `read_headers` decides.
    """
    attributes: dict[str, Any] = {}
    names = _ATTRIBUTE_OF_HEADER
    try:
        for name, raw in headers:
            attributes[names[name]] = raw.decode("utf-8") if raw else ""
    except (KeyError, UnicodeDecodeError):
        return None
    if len(attributes) != len(headers) or "specversion" not in attributes:
        return None
    return attributes


def read_headers(headers: RawHeaders, *, where: str) -> tuple[dict[str, str], dict[str, Any] | None]:
    """Decoded headers (lower-cased names, UTF-8 values, a missing value reads as empty, the last duplicate
    wins) and, when any header is a `ce_` one, the binary-mode attributes they carry (else None)."""
    decoded: dict[str, str] = {}
    attributes: dict[str, Any] = {}
    count = 0
    binary = False
    for name, raw in headers:
        known = _HEADER_NAMES.get(name)
        lowered, attribute, is_ce = known if known is not None else _remember(name)
        try:
            text = raw.decode("utf-8") if raw else ""
        except UnicodeDecodeError as exc:
            raise InvalidAttributeError({name: f"header value is not UTF-8 (byte {exc.start})"}, where=where) from exc
        decoded[lowered] = text
        count += 1
        if attribute is not None:
            attributes[attribute] = text
            binary = binary or is_ce
    if not binary:
        return decoded, None
    if count != len(decoded):
        # Repeated names: the binding reads the de-duplicated headers (first position, last value), in which
        # `content-type` and `ce_datacontenttype` may come in another order than on the wire. Rare; redo it.
        attributes = {}
        for lowered, text in decoded.items():
            _, attribute, _ = _remember(lowered)
            if attribute is not None:
                attributes[attribute] = text
    return decoded, attributes


def decode_binary(
    attributes: dict[str, Any], value: bytes, *, where: str, defer: bool = False, names_known_valid: bool = False
) -> ReceivedEvent:
    """Check, complete and construct a binary-mode event from the attributes `read_headers` found.

    With `defer`, `time` and the data are decoded on first use (`ReceivedEvent`); the envelope is checked now.
    `names_known_valid`: the attributes came from `read_binary_attributes`, whose header table holds only names
    the envelope check passes, so their names need no second look.
    """
    if not _has_required(attributes):
        check_required(attributes, where=where)  # raises, naming every missing attribute
    if attributes["specversion"] != SPECVERSION:
        raise UnsupportedSpecVersionError(attributes["specversion"], where=where)
    time = attributes.get("time")
    if time is None:
        attributes["time"] = datetime.now(UTC)  # the library's constructor stamps a missing time the same way
    if defer:
        check_envelope(attributes, where=where, names_known_valid=names_known_valid)
        return ReceivedEvent.deferred(attributes, value, time_pending=time is not None, where=where)
    if time is not None:
        attributes["time"] = parse_time(time, where=where)
    data = FORMAT.read_data(value, attributes.get(DATACONTENTTYPE))
    # After time and data: the order the library binding reported in.
    check_envelope(attributes, where=where, names_known_valid=names_known_valid)
    return ReceivedEvent.checked(attributes, data, where=where)


def _has_required(attributes: dict[str, Any]) -> bool:
    # Header values are always str, so "present and not empty" is plain truthiness here.
    return bool(
        attributes.get("id") and attributes.get("source") and attributes.get("type") and attributes.get("specversion")
    )


def _remember(name: str) -> _HeaderName:
    lowered = name.lower()
    if lowered.startswith(CE_PREFIX):
        entry: _HeaderName = (lowered, lowered[len(CE_PREFIX) :], True)
    elif lowered == CONTENT_TYPE:
        entry = (lowered, DATACONTENTTYPE, False)
    else:
        entry = (lowered, None, False)
    if len(_HEADER_NAMES) < _MAX_CACHED_NAMES:
        _HEADER_NAMES[name] = entry
        if entry[1] is not None and valid_name(entry[1]):
            _ATTRIBUTE_OF_HEADER[name] = entry[1]  # only names the envelope check would pass (see decode_binary)
    return entry


def _header_for(attribute: str) -> str:
    header = CONTENT_TYPE if attribute == DATACONTENTTYPE else CE_PREFIX + attribute
    if len(_ATTRIBUTE_HEADERS) < _MAX_CACHED_NAMES:
        _ATTRIBUTE_HEADERS[attribute] = header
    return header
