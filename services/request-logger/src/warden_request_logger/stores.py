"""The request logger's log store, chosen by its settings (`warden_common.logstore.factory`)."""

from __future__ import annotations

from typing import Literal

from warden_common.logstore import LogStore
from warden_common.logstore.factory import create_log_store as create_store
from warden_common.logstore.factory import store_kind as choose_store
from warden_common.platform import Platform
from warden_request_logger.settings import RequestLoggerSettings


def store_kind(settings: RequestLoggerSettings, platform: Platform) -> Literal["opensearch", "postgres"]:
    return choose_store(settings.store, platform)


def create_log_store(settings: RequestLoggerSettings, platform: Platform) -> LogStore:
    """A not-yet-started store of `store_kind`."""
    return create_store(
        settings.store,
        settings.opensearch,
        platform,
        dsn=settings.database.dsn.get_secret_value() if settings.database.dsn else None,
        pool_size=settings.database.max_pool,
        auto_migrate=settings.auto_migrate,
        dsn_setting="WARDEN_LOGGER_DATABASE__DSN",
    )
