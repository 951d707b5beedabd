"""PostgreSQL helpers services share: an asyncpg pool with JSON codecs, ordered SQL migrations, and the
transactional outbox (events committed with the change they describe, then relayed to the bus)."""

from warden_common.db.migrations import (
    Migration,
    MigrationError,
    ServiceMigrations,
    applied_versions,
    apply_migrations,
    load_migrations,
    merge_migrations,
    pending_migrations,
    prepare_schema,
)
from warden_common.db.outbox import Outbox
from warden_common.db.outbox_relay import OutboxRelay
from warden_common.db.pool import open_pool

__all__ = [
    "Migration",
    "MigrationError",
    "Outbox",
    "OutboxRelay",
    "ServiceMigrations",
    "applied_versions",
    "apply_migrations",
    "load_migrations",
    "merge_migrations",
    "open_pool",
    "pending_migrations",
    "prepare_schema",
]
