"""`warden up`: embedded PostgreSQL, the durable PostgreSQL bus and every service, in one process on one port."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator

import uvicorn
from pydantic import SecretStr

from warden_common.bus.factory import create_bus
from warden_common.embedded_postgres import start_embedded_postgres
from warden_common.gc_tuning import tune_gc
from warden_common.platform import Platform
from warden_common.settings import BusSettings, StandaloneSettings
from warden_gateway.composition import build_standalone_app
from warden_gateway.settings import GatewaySettings

logger = logging.getLogger(__name__)


class _Server(uvicorn.Server):
    """Uvicorn re-raises a captured SIGINT once it has shut down; under `asyncio.run` that cancels the task and
    with it our cleanup (bus, PostgreSQL). Here the signal only asks the server to stop, and `warden up` then
    finishes stopping everything and exits 0."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


async def run_standalone(settings: StandaloneSettings) -> None:
    """Run until SIGINT/SIGTERM, then stop the services, the bus and PostgreSQL, in that order."""
    home = settings.resolved_home()
    home.mkdir(parents=True, exist_ok=True)
    postgres = await asyncio.to_thread(start_embedded_postgres, home / "postgres")
    try:
        bus_settings = BusSettings(
            kind="postgres",
            postgres_dsn=SecretStr(postgres.dsn),
            retention_hours=settings.bus_retention_hours,
            retention_max_records=settings.bus_retention_max_records,
        )
        bus = create_bus(bus_settings)
        await bus.start()
        try:
            platform = Platform(mode="standalone", bus=bus, database_dsn=postgres.dsn, home=home)
            app = build_standalone_app(platform, GatewaySettings(auth=settings.gateway_auth()))
            tune_gc()  # every service is imported and built: what exists now is never scanned again
            config = uvicorn.Config(
                app, host=settings.host, port=settings.port, log_config=None, lifespan="on", access_log=False
            )
            logger.info("starting warden standalone", extra={"home": str(home), "port": settings.port})
            await _Server(config).serve()
        finally:
            await bus.close()
    finally:
        await asyncio.to_thread(postgres.stop)
        logger.info("warden standalone stopped")
