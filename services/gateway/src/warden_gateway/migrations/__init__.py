"""The gateway's PostgreSQL schema (`gateway`): namespaces and deployments (files `NNNN_name.sql`), and the
transactional outbox its deployment events leave through (version 2, DDL from `warden_common.db.outbox`)."""

from __future__ import annotations

from collections.abc import Sequence

from warden_common.db import Migration, Outbox, ServiceMigrations, load_migrations, merge_migrations

SERVICE = "gateway"
OUTBOX = Outbox("gateway")


def migrations() -> Sequence[Migration]:
    return merge_migrations(load_migrations(__name__), [OUTBOX.migration(2)])


def _dsn_from_settings() -> str | None:
    from warden_gateway.settings import GatewaySettings

    dsn = GatewaySettings().database.dsn
    return dsn.get_secret_value() if dsn else None


def service_migrations() -> ServiceMigrations:
    """What `warden migrate` runs for the gateway (entry point group `warden.migrations`)."""
    return ServiceMigrations(service=SERVICE, migrations=migrations, dsn_from_settings=_dsn_from_settings)
