"""PostgreSQL helpers services share: an asyncpg pool with JSON codecs, and ordered SQL migrations."""

from warden_common.db.migrations import (
    Migration,
    MigrationError,
    ServiceMigrations,
    applied_versions,
    apply_migrations,
    load_migrations,
    pending_migrations,
)
from warden_common.db.pool import open_pool

__all__ = [
    "Migration",
    "MigrationError",
    "ServiceMigrations",
    "applied_versions",
    "apply_migrations",
    "load_migrations",
    "open_pool",
    "pending_migrations",
]
