"""The CloudEvents codec on `cloudevents` 2.x: HTTP (binary, structured) and Kafka (binary, Seldon executor format)."""

from warden_common.codec.errors import (
    CodecError,
    InvalidAttributeError,
    InvalidEventDataError,
    InvalidJsonError,
    MissingAttributesError,
    PayloadTooLargeError,
    UnknownEventTypeError,
    UnsupportedContentTypeError,
    UnsupportedSpecVersionError,
)
from warden_common.codec.event import Event
from warden_common.codec.http import (
    DEFAULT_MAX_BODY_BYTES,
    decode_http,
    encode_http_binary,
    encode_http_structured,
)
from warden_common.codec.kafka import from_kafka_record, from_seldon_kafka_record, to_kafka_record

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "CodecError",
    "Event",
    "InvalidAttributeError",
    "InvalidEventDataError",
    "InvalidJsonError",
    "MissingAttributesError",
    "PayloadTooLargeError",
    "UnknownEventTypeError",
    "UnsupportedContentTypeError",
    "UnsupportedSpecVersionError",
    "decode_http",
    "encode_http_binary",
    "encode_http_structured",
    "from_kafka_record",
    "from_seldon_kafka_record",
    "to_kafka_record",
]
