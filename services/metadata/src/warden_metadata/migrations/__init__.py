"""The metadata service's schema migrations (`NNNN_name.sql` beside this file, and the transactional outbox its
model events leave through as version 2, DDL from `warden_common.db.outbox`), found by `warden migrate`."""

from __future__ import annotations

from warden_common.db import Migration, Outbox, ServiceMigrations, load_migrations, merge_migrations

SERVICE = "metadata"
OUTBOX = Outbox("warden_metadata")


def migrations() -> list[Migration]:
    return merge_migrations(load_migrations(__name__), [OUTBOX.migration(2)])


def _dsn_from_settings() -> str | None:
    from warden_metadata.settings import MetadataSettings

    dsn = MetadataSettings().database.dsn
    return dsn.get_secret_value() if dsn is not None else None


def service_migrations() -> ServiceMigrations:
    """Entry point of the `warden.migrations` group."""
    return ServiceMigrations(service=SERVICE, migrations=migrations, dsn_from_settings=_dsn_from_settings)
