"""Kafka records <-> CloudEvents.

Writing: always the CloudEvents Kafka binding in binary mode (`ce_*` headers, raw payload as value),
the format every bus adapter stores. Reading: `from_kafka_record` auto-detects
- the CloudEvents binding, binary mode (any `ce_*` header),
- the CloudEvents binding, structured mode (`content-type: application/cloudevents+json`),
- the Seldon Core executor's own Kafka logger format (headers `type`, `content-type`, `modelid`,
  `requestid`, `inferenceservicename`, `namespace`, `endpoint`, `protocol`, no `ce_` prefix; protocols.md §1).
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any

from cloudevents.core.exceptions import BaseCloudEventException
from cloudevents.core.v1.event import CloudEvent

from warden_common.codec._attributes import SPECVERSION, check_required, new_event
from warden_common.codec._kafka_binary import (
    CONTENT_TYPE,
    KafkaHeaders,
    RawHeaders,
    decode_binary,
    encode_binary,
    read_binary_attributes,
    read_headers,
)
from warden_common.codec._structured import FORMAT, is_structured, read_structured
from warden_common.codec.errors import CodecError, PayloadTooLargeError
from warden_common.codec.event import Event

__all__ = ["KafkaHeaders", "RawHeaders", "from_kafka_record", "from_seldon_kafka_record", "to_kafka_record"]

SELDON_TYPE_HEADER = "type"
SELDON_EXTENSION_HEADERS = ("modelid", "requestid", "inferenceservicename", "namespace", "endpoint", "protocol")
SELDON_KAFKA_SOURCE = "kafka://seldon-executor"
"""Source of executor Kafka events when the caller does not say which topic they came from."""

_CONTENT_TYPE = CONTENT_TYPE
_ID_NAMESPACE = uuid.UUID("6f1d3c52-8c1e-4b7a-9d0e-3f5b2a7c9e41")
"""Namespace of the name-based (v5) UUIDs given to executor Kafka events, which carry no id."""


def to_kafka_record(event: Event, key: str | bytes | None = None) -> tuple[bytes | None, KafkaHeaders, bytes]:
    """Encode `event` as (key, headers, value) in Kafka binary mode (the `cloudevents` binding's exact output)."""
    return encode_binary(event, key)


def from_kafka_record(
    headers: RawHeaders,
    value: bytes | None,
    key: bytes | None = None,
    *,
    topic: str | None = None,
    partition: int | None = None,
    offset: int | None = None,
    timestamp_ms: int | None = None,
    max_value_bytes: int | None = None,
    defer: bool = False,
) -> Event:
    """Decode a Kafka record (any of the three formats above); raises a `CodecError` naming the problem.

    With `defer`, a binary-mode record (the bus's own format) has its envelope checked now and its `time` and
    data decoded on first use (`ReceivedEvent`; a malformed part then raises the same `CodecError` there). The
    bus consumers use this: a handler pays only for what it reads.

    The record key is a transport detail (partitioning) and does not become an attribute. `topic`,
    `partition`, `offset` and `timestamp_ms` are only used for executor-format records, which have no
    id, source or time of their own (see `from_seldon_kafka_record`).
    """
    raw = value or b""
    if max_value_bytes is not None and len(raw) > max_value_bytes:
        raise PayloadTooLargeError(len(raw), max_value_bytes)
    if isinstance(headers, list | tuple):
        known = read_binary_attributes(headers)  # the bus's own records, once their header names were seen
        if known is not None:
            return _from_ce_binary(known, raw, defer=defer, names_known_valid=True)
    header_map, binary_attributes = read_headers(headers, where="Kafka record")
    if binary_attributes is not None:
        return _from_ce_binary(binary_attributes, raw, defer=defer, names_known_valid=False)
    content_type = header_map.get(_CONTENT_TYPE)
    if is_structured(content_type):
        return read_structured(content_type, raw, where="structured-mode Kafka record")
    if SELDON_TYPE_HEADER in header_map:
        return _from_seldon(header_map, raw, topic=topic, partition=partition, offset=offset, timestamp_ms=timestamp_ms)
    raise CodecError(
        "Kafka record is not a CloudEvent: it has no ce_* headers, no "
        "'application/cloudevents+json' content type and no Seldon executor 'type' header"
    )


def from_seldon_kafka_record(
    headers: RawHeaders,
    value: bytes | None,
    key: bytes | None = None,
    *,
    topic: str | None = None,
    partition: int | None = None,
    offset: int | None = None,
    timestamp_ms: int | None = None,
) -> CloudEvent:
    """Decode a record written by the Seldon Core executor's Kafka logger (no `ce_` prefix).

    The result carries the same attributes the executor's HTTP binary-mode event would: `type`,
    `datacontenttype` and the extensions `modelid`, `requestid`, `inferenceservicename`, `namespace`,
    `endpoint`, `protocol` (empty header values are dropped, as absent). What the format lacks:
    - `id`: a name-based UUID, stable across redeliveries: from topic/partition/offset when all three
      are given, else from type, requestid, modelid and a SHA-256 of the value (the same logged payload
      of the same request and node yields the same id, which is what deduplication wants).
    - `source`: `kafka://<topic>` when the topic is given, else `kafka://seldon-executor`.
    - `time`: the record timestamp when given, else the time of decoding.
    The executor writes no key; `key` is accepted for symmetry with `from_kafka_record` and ignored.
    """
    header_map, _ = read_headers(headers, where="Seldon executor Kafka record")
    return _from_seldon(
        header_map, value or b"", topic=topic, partition=partition, offset=offset, timestamp_ms=timestamp_ms
    )


def _from_ce_binary(attributes: dict[str, Any], value: bytes, *, defer: bool, names_known_valid: bool) -> Event:
    where = "binary-mode Kafka record"
    try:
        return decode_binary(attributes, value, where=where, defer=defer, names_known_valid=names_known_valid)
    except CodecError:
        raise
    except (BaseCloudEventException, ValueError, TypeError) as exc:  # pragma: no cover - defensive, as before
        raise CodecError(f"{where}: not a valid CloudEvent: {exc}") from exc


def _from_seldon(
    headers: dict[str, str],
    value: bytes,
    *,
    topic: str | None,
    partition: int | None,
    offset: int | None,
    timestamp_ms: int | None,
) -> CloudEvent:
    where = "Seldon executor Kafka record"
    event_type = headers.get(SELDON_TYPE_HEADER, "")
    attributes: dict[str, Any] = {
        "specversion": SPECVERSION,
        "type": event_type,
        "source": f"kafka://{topic}" if topic else SELDON_KAFKA_SOURCE,
        "id": _seldon_event_id(headers, value, topic=topic, partition=partition, offset=offset),
    }
    content_type = headers.get(_CONTENT_TYPE)
    if content_type:
        attributes["datacontenttype"] = content_type
    for name in SELDON_EXTENSION_HEADERS:
        if headers.get(name):
            attributes[name] = headers[name]
    if timestamp_ms is not None:
        attributes["time"] = datetime.fromtimestamp(timestamp_ms / 1000, tz=UTC)
    check_required(attributes, where=where)  # before the body: an empty `type` header is the real problem
    return new_event(attributes, FORMAT.read_data(value, content_type), where=where)


def _seldon_event_id(
    headers: dict[str, str], value: bytes, *, topic: str | None, partition: int | None, offset: int | None
) -> str:
    if topic is not None and partition is not None and offset is not None:
        name = f"kafka://{topic}/{partition}/{offset}"
    else:
        digest = hashlib.sha256(value).hexdigest()
        parts = (headers.get(SELDON_TYPE_HEADER, ""), headers.get("requestid", ""), headers.get("modelid", ""), digest)
        name = "seldon-executor:" + "|".join(parts)
    return str(uuid.uuid5(_ID_NAMESPACE, name))
