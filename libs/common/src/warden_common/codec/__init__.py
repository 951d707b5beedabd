"""The CloudEvents codec: HTTP (binary + structured) and Kafka (binary) bindings on `cloudevents` 2.x."""

from warden_common.codec.errors import CodecError
from warden_common.codec.kafka import from_kafka_record, to_kafka_record

__all__ = ["CodecError", "from_kafka_record", "to_kafka_record"]
