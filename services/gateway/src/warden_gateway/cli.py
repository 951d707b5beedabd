"""The `warden` command line: `warden up` (standalone) and `warden serve <service>` (distributed)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
import uvicorn

from warden_common import __version__
from warden_common.errors import WardenError
from warden_common.logging import configure_logging
from warden_common.settings import StandaloneSettings
from warden_gateway.composition import load_service_factory, service_names

app = typer.Typer(help="Warden: oversight and governance for ML model deployments.", no_args_is_help=True)

HostOption = Annotated[str | None, typer.Option(help="Interface to listen on (default 127.0.0.1).")]
PortOption = Annotated[int | None, typer.Option(help="Port to listen on (default 8080).")]


@app.command()
def up(host: HostOption = None, port: PortOption = None) -> None:
    """Start Warden standalone: every service in one process, state under $WARDEN_HOME (default ~/.warden)."""
    from warden_gateway.standalone import run_standalone

    overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    settings = StandaloneSettings(**overrides)  # type: ignore[arg-type]
    configure_logging(settings.log_level)
    asyncio.run(run_standalone(settings))


@app.command()
def serve(
    service: Annotated[str, typer.Argument(help="Service to run: " + ", ".join(service_names()))],
    host: HostOption = None,
    port: PortOption = None,
) -> None:
    """Run one service on its own (distributed mode: Kafka bus, external stores, from WARDEN_<SERVICE>_* settings)."""
    try:
        factory = load_service_factory(service)
    except WardenError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from exc
    application = factory()
    settings = application.state.settings
    configure_logging(settings.log_level)
    uvicorn.run(
        application,
        host=host or settings.host,
        port=port if port is not None else settings.port,
        log_config=None,
        access_log=False,
    )


@app.command()
def version() -> None:
    """Print Warden's version."""
    typer.echo(__version__)


def main() -> None:
    app()
