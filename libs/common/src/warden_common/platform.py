"""What a service needs from its surroundings, built once per process.

Standalone (`warden up`) builds one `Platform` (embedded PostgreSQL, PostgreSQL bus) and hands it to every
service; distributed (`warden serve <svc>`) lets each service build its own from its settings.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from warden_common.bus.port import Bus
from warden_common.settings import ServiceSettings


@dataclass(frozen=True)
class Platform:
    """Shared infrastructure handles. Services never construct adapters themselves."""

    mode: Literal["standalone", "distributed"]
    bus: Bus
    database_dsn: str | None = None
    home: Path | None = None
    local_apps: Mapping[str, Any] = field(default_factory=dict)
    """ASGI apps of the services running in this process (standalone), by service name: the gateway calls
    them in-process instead of over the network. Empty in distributed mode."""


@asynccontextmanager
async def platform_scope(settings: ServiceSettings, given: Platform | None) -> AsyncIterator[Platform]:
    """Yield `given` untouched (its owner closes it), or build one from `settings` and close it after."""
    if given is not None:
        yield given
        return
    from warden_common.bus.factory import create_bus  # adapters import heavy clients; load on use

    bus = create_bus(settings.bus)
    await bus.start()
    try:
        dsn = settings.database.dsn.get_secret_value() if settings.database.dsn else None
        yield Platform(mode="distributed", bus=bus, database_dsn=dsn)
    finally:
        await bus.close()
