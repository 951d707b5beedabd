"""The event bus port (`Bus`) and its adapters: Kafka (distributed) and PostgreSQL (standalone)."""

from warden_common.bus.port import Bus, BusRecord, EventHandler, RecordHandler, Subscription

__all__ = ["Bus", "BusRecord", "EventHandler", "RecordHandler", "Subscription"]
