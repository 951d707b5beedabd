"""Which log store this process uses: OpenSearch (distributed) or PostgreSQL (standalone), by settings and mode."""

from __future__ import annotations

from warden_common.errors import ServiceUnavailable
from warden_common.logstore import LogStore
from warden_common.platform import Platform
from warden_request_logger.settings import RequestLoggerSettings


def store_kind(settings: RequestLoggerSettings, platform: Platform) -> str:
    """`opensearch` or `postgres`: `auto` follows the platform mode."""
    if settings.store == "auto":
        return "postgres" if platform.mode == "standalone" else "opensearch"
    return settings.store


def create_log_store(settings: RequestLoggerSettings, platform: Platform) -> LogStore:
    """A not-yet-started store of `store_kind`."""
    if store_kind(settings, platform) == "opensearch":
        from warden_common.logstore.opensearch import OpenSearchLogStore

        os_settings = settings.opensearch
        return OpenSearchLogStore(
            os_settings.url,
            prefix=os_settings.index_prefix,
            shards=os_settings.shards,
            replicas=os_settings.replicas,
            refresh_interval=os_settings.refresh_interval,
            wait_for_refresh=os_settings.wait_for_refresh,
            max_bulk_bytes=os_settings.max_bulk_bytes,
            max_bulk_docs=os_settings.max_bulk_docs,
            max_concurrent_bulks=os_settings.max_concurrent_bulks,
            max_retry_s=os_settings.max_retry_s,
        )
    from warden_common.logstore.postgres import PostgresLogStore

    dsn = platform.database_dsn or (settings.database.dsn.get_secret_value() if settings.database.dsn else None)
    if not dsn:
        raise ServiceUnavailable("the PostgreSQL log store needs a database: set WARDEN_LOGGER_DATABASE__DSN")
    auto_migrate = settings.auto_migrate if settings.auto_migrate is not None else platform.mode == "standalone"
    return PostgresLogStore(dsn, pool_size=settings.database.max_pool, migrate=auto_migrate)
