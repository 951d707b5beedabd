"""The event bus port (`Bus`) and its adapters: Kafka (distributed) and PostgreSQL (standalone)."""

from warden_common.bus.port import Bus, BusRecord, EventHandler, Subscription

__all__ = ["Bus", "BusRecord", "EventHandler", "Subscription"]
