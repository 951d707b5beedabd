"""The batch service's schema migrations (`NNNN_name.sql` beside this file), found by `warden migrate`."""

from __future__ import annotations

from warden_common.db import Migration, ServiceMigrations, load_migrations

SERVICE = "batch"


def migrations() -> list[Migration]:
    return load_migrations(__name__)


def _dsn_from_settings() -> str | None:
    from warden_batch.settings import BatchSettings

    dsn = BatchSettings().database.dsn
    return dsn.get_secret_value() if dsn is not None else None


def service_migrations() -> ServiceMigrations:
    """Entry point of the `warden.migrations` group."""
    return ServiceMigrations(service=SERVICE, migrations=migrations, dsn_from_settings=_dsn_from_settings)
