"""The gateway's PostgreSQL schema (`gateway`): namespaces and deployments. Files are `NNNN_name.sql`."""

from __future__ import annotations

from collections.abc import Sequence

from warden_common.db import Migration, ServiceMigrations, load_migrations

SERVICE = "gateway"


def migrations() -> Sequence[Migration]:
    return load_migrations(__name__)


def _dsn_from_settings() -> str | None:
    from warden_gateway.settings import GatewaySettings

    dsn = GatewaySettings().database.dsn
    return dsn.get_secret_value() if dsn else None


def service_migrations() -> ServiceMigrations:
    """What `warden migrate` runs for the gateway (entry point group `warden.migrations`)."""
    return ServiceMigrations(service=SERVICE, migrations=migrations, dsn_from_settings=_dsn_from_settings)
