"""SQL migrations of the PostgreSQL request-log store (applied with `warden_common.db.apply_migrations`)."""

from __future__ import annotations

from warden_common.db import Migration, load_migrations

SERVICE = "logstore"


def migrations() -> list[Migration]:
    return load_migrations(__name__)
