"""The event bus port (`Bus`) and its adapters: Kafka (distributed) and PostgreSQL (standalone)."""

from warden_common.bus.port import BatchHandler, Bus, BusRecord, EventHandler, RecordHandler, Subscription

__all__ = ["BatchHandler", "Bus", "BusRecord", "EventHandler", "RecordHandler", "Subscription"]
