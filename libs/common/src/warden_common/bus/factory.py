"""Pick the bus adapter the settings ask for."""

from __future__ import annotations

from warden_common.bus.port import Bus
from warden_common.settings import BusSettings


def create_bus(settings: BusSettings) -> Bus:
    """A not-yet-started bus: `KafkaBus` for `kind="kafka"`, the standalone `PostgresBus` for `kind="postgres"`."""
    # Imported here so a process only loads the client library of the adapter it uses.
    if settings.kind == "kafka":
        from warden_common.bus.kafka import KafkaBus

        return KafkaBus(settings)
    from warden_common.bus.postgres import PostgresBus

    return PostgresBus(settings)
