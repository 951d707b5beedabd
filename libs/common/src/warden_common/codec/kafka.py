"""Kafka binary content mode (`ce_*` headers, raw payload as value), the format every bus adapter stores."""

from __future__ import annotations

from cloudevents.core.bindings import kafka as ce_kafka
from cloudevents.core.exceptions import BaseCloudEventException
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

from warden_common.codec.errors import CodecError

_FORMAT = JSONFormat()

KafkaHeaders = tuple[tuple[str, bytes], ...]


def to_kafka_record(event: CloudEvent, key: str | bytes | None = None) -> tuple[bytes | None, KafkaHeaders, bytes]:
    """Encode `event` as (key, headers, value) in Kafka binary mode."""
    message = ce_kafka.to_binary(event, _FORMAT, key_mapper=lambda _e: key)
    raw_key = message.key.encode() if isinstance(message.key, str) else message.key
    return raw_key, tuple(message.headers.items()), message.value


def from_kafka_record(headers: KafkaHeaders, value: bytes, key: bytes | None = None) -> CloudEvent:
    """Decode a Kafka record into a CloudEvent; raises `CodecError` naming the problem."""
    header_map = {name: data for name, data in headers}
    message = ce_kafka.KafkaMessage(headers=header_map, key=None, value=value)
    try:
        event = ce_kafka.from_kafka(message, _FORMAT, CloudEvent)
    except (BaseCloudEventException, ValueError, TypeError, UnicodeDecodeError) as exc:
        raise CodecError(f"not a valid CloudEvent Kafka record: {exc}") from exc
    if not isinstance(event, CloudEvent):
        raise CodecError("only CloudEvents spec version 1.0 is accepted")
    return event
