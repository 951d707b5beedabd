"""`warden up`: embedded PostgreSQL, the durable PostgreSQL bus and every service, in one process on one port."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import signal
import socket
from collections.abc import Iterator

import uvicorn
from pydantic import SecretStr

from warden_common.bus.factory import create_bus
from warden_common.embedded_postgres import start_embedded_postgres
from warden_common.gc_tuning import tune_gc
from warden_common.platform import Platform
from warden_common.requestmetrics.received import ReceivedAtHttpProtocol
from warden_common.settings import BusSettings, StandaloneSettings
from warden_gateway.composition import build_standalone_app, import_services
from warden_gateway.settings import GatewaySettings

logger = logging.getLogger(__name__)


API_PATH = "/seldon-deploy/api/v1alpha1"
SWAGGER_PATH = "/seldon-deploy/swagger/"

_CHATTY_LOGGERS = ("pgserver", "uvicorn.error", "httpx")
"""Their INFO lines (every pg_ctl call; uvicorn's own startup story; every in-process call between services, such
as the usage sampler's every 15 s) would bury the few lines `warden up` prints to say what is ready where; their
warnings still come through."""


class _Server(uvicorn.Server):
    """Uvicorn re-raises a captured SIGINT once it has shut down; under `asyncio.run` that cancels the task and
    with it our cleanup (bus, PostgreSQL). Here the signal only asks the server to stop, and `warden up` then
    finishes stopping everything and exits 0. Once it listens it says where Warden is, in one line."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and self.servers:
            base = public_base_url(self.config.host, self.servers[0].sockets[0].getsockname()[1])
            # No UI URL until the web UI exists: a printed link that answers 404 would look built.
            logger.info(
                "Warden is ready at %s (API %s%s, Swagger %s%s)",
                base, base, API_PATH, base, SWAGGER_PATH,
                extra={"api": base + API_PATH, "swagger": base + SWAGGER_PATH},
            )  # fmt: skip

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def public_base_url(host: str, port: int) -> str:
    """The URL a person opens: a wildcard address is reached on loopback; IPv6 literals go in brackets."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return f"http://{host}:{port}"  # a host name
    if address.is_unspecified:
        address = ipaddress.ip_address("::1" if address.version == 6 else "127.0.0.1")
    return f"http://[{address}]:{port}" if address.version == 6 else f"http://{address}:{port}"


def _quiet_chatty_loggers() -> None:
    if logging.getLogger().level <= logging.DEBUG:
        return  # asked for everything
    for name in _CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


async def run_standalone(settings: StandaloneSettings) -> None:
    """Run until SIGINT/SIGTERM, then stop the services, the bus and PostgreSQL, in that order."""
    _quiet_chatty_loggers()
    home = settings.resolved_home()
    home.mkdir(parents=True, exist_ok=True)
    logger.info("starting warden standalone in %s", home, extra={"home": str(home), "port": settings.port})
    # PostgreSQL starts (initdb, then the server: other processes, waited on in a thread) while this thread imports
    # the services' code, the other half of a start: one after the other they took twice as long.
    starting = asyncio.get_running_loop().run_in_executor(None, start_embedded_postgres, home / "postgres")
    try:
        import_services()
    except BaseException:
        await asyncio.to_thread((await starting).stop)
        raise
    postgres = await starting
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
                app,
                host=settings.host,
                port=settings.port,
                log_config=None,
                lifespan="on",
                access_log=False,
                http=ReceivedAtHttpProtocol,
            )
            await _Server(config).serve()
        finally:
            await bus.close()
    finally:
        await asyncio.to_thread(postgres.stop)
        logger.info("warden standalone stopped")
