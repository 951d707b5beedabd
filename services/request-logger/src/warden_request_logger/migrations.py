"""The request logger's PostgreSQL schema (the standalone log store), for `warden migrate` to find.

The SQL lives with the store (`warden_common.logstore.migrations`, recorded under the service name `logstore`).
Standalone, the store migrates itself on start; in distributed mode with the PostgreSQL store, `warden migrate`
applies it (entry point group `warden.migrations`) and the logger refuses to start on an out-of-date schema.
"""

from __future__ import annotations

from warden_common.db import ServiceMigrations
from warden_common.logstore.migrations import SERVICE, migrations


def _dsn_from_settings() -> str | None:
    from warden_request_logger.settings import RequestLoggerSettings

    dsn = RequestLoggerSettings().database.dsn
    return dsn.get_secret_value() if dsn is not None else None


def service_migrations() -> ServiceMigrations:
    """Entry point of the `warden.migrations` group."""
    return ServiceMigrations(service=SERVICE, migrations=migrations, dsn_from_settings=_dsn_from_settings)
