"""The `warden` command line: `warden up` (standalone) and `warden serve <service>` (distributed)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
import uvicorn

from warden_common import __version__
from warden_common.errors import WardenError
from warden_common.gc_tuning import tune_gc
from warden_common.logging import configure_logging
from warden_common.requestmetrics.received import ReceivedAtHttpProtocol
from warden_common.settings import StandaloneSettings
from warden_gateway.auth_cli import login, token, users_app
from warden_gateway.batch_cli import batch_app
from warden_gateway.composition import load_service_factory, service_names

app = typer.Typer(help="Warden: oversight and governance for ML model deployments.", no_args_is_help=True)
app.command()(login)
app.command()(token)
app.add_typer(users_app, name="users")
app.add_typer(batch_app, name="batch")

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
        application = load_service_factory(service)()
    except WardenError as exc:  # an unknown service, or settings a service refuses to start with
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from exc
    settings = application.state.settings
    configure_logging(settings.log_level)
    tune_gc()  # after the imports and the app: what exists now is never scanned again
    uvicorn.run(
        application,
        host=host or settings.host,
        port=port if port is not None else settings.port,
        log_config=None,
        access_log=False,
        http=ReceivedAtHttpProtocol,
    )


@app.command()
def migrate(
    service: Annotated[
        list[str] | None, typer.Option("--service", help="Only these services (repeatable). Default: every one.")
    ] = None,
    dsn: Annotated[
        str | None,
        typer.Option(help="PostgreSQL DSN for every service; default: each one's WARDEN_<SVC>_DATABASE__DSN."),
    ] = None,
) -> None:
    """Apply pending schema migrations of every installed service (distributed mode; `warden up` migrates itself)."""
    from importlib.metadata import entry_points

    from warden_common.db import MigrationError, ServiceMigrations, apply_migrations

    configure_logging("INFO")
    plans: list[ServiceMigrations] = [ep.load()() for ep in entry_points(group="warden.migrations")]
    unknown = set(service or ()) - {plan.service for plan in plans}
    if unknown:
        typer.echo(f"error: no migrations registered for {', '.join(sorted(unknown))}", err=True)
        raise typer.Exit(2)
    migrated = 0
    for plan in sorted(plans, key=lambda p: p.service):
        if service and plan.service not in service:
            continue
        target = dsn or plan.dsn_from_settings()
        if not target:
            # A distributed install need not run every service: one without a database is skipped, unless asked for.
            typer.echo(f"{plan.service}: skipped (no database: set its DATABASE__DSN setting or pass --dsn)", err=True)
            if service:
                raise typer.Exit(2)
            continue
        try:
            applied = asyncio.run(apply_migrations(target, plan.service, plan.migrations()))
        except MigrationError as exc:
            typer.echo(f"error: {plan.service}: {exc}", err=True)
            raise typer.Exit(1) from exc
        migrated += 1
        done = ", ".join(f"{v:04d}" for v in applied) if applied else "nothing to do"
        typer.echo(f"{plan.service}: {done}")
    if not migrated:
        typer.echo("error: no service has a database configured; nothing was migrated", err=True)
        raise typer.Exit(2)


@app.command()
def demo() -> None:
    """Build the demo models of the docs' walkthroughs under $WARDEN_HOME/demo and print `name<TAB>URI` for each."""
    try:
        from warden_serving.demo.build import build_demo_models, demo_home
    except ImportError as exc:  # the CLI ships with the gateway; the models need the serving package
        typer.echo(f"error: `warden demo` needs the warden-serving package: {exc}", err=True)
        raise typer.Exit(2) from exc
    try:
        uris = build_demo_models()
    except WardenError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from exc
    try:  # the saved detectors of the outlier walkthrough, where the detectors service is installed
        from warden_detectors.demo import build_demo_detectors
    except ImportError:
        typer.echo("note: no detectors package here, so no demo detectors were built", err=True)
    else:
        uris.update(build_demo_detectors(demo_home()))
    for name, uri in uris.items():
        typer.echo(f"{name}\t{uri}")


@app.command()
def version() -> None:
    """Print Warden's version."""
    typer.echo(__version__)


def main() -> None:
    app()
