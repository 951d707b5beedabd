"""Which log store a process opens, OpenSearch (distributed) or PostgreSQL (standalone), from its settings and mode.

The request logger writes the store; other services (the detectors' metrics servers looking up a logged response)
read it through the same port, so they choose and open it the same way.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from warden_common.errors import ServiceUnavailable
from warden_common.logstore.port import LogStore
from warden_common.platform import Platform

StoreChoice = Literal["auto", "opensearch", "postgres"]
"""`auto` = PostgreSQL in standalone, OpenSearch in distributed mode."""


class OpenSearchSettings(BaseModel):
    """The OpenSearch log store (distributed mode)."""

    url: str = Field("http://127.0.0.1:9200", description="OpenSearch base URL.")
    index_prefix: str = Field(
        "warden-", description="Prefix of every index and template name (lower case; e.g. one per environment)."
    )
    shards: int = Field(1, ge=1, description="Primary shards per deployment index.")
    replicas: int = Field(0, ge=0, description="Replicas per deployment index (0 on a single node).")
    refresh_interval: str = Field(
        "250ms",
        description="The logger's index template's `refresh_interval`: how soon written documents become searchable "
        "(writes never force a refresh). Shorter means lower lag and more, smaller segments to merge.",
    )
    wait_for_refresh: bool = Field(
        False,
        description="Bulk writes return only once their documents are searchable (`refresh=wait_for`, up to one "
        "refresh interval later): the bus offset is committed only then and `warden_request_log_lag_seconds` is "
        "exactly publish -> searchable. Off (default): a bus partition's next batch is not held up by the refresh "
        "wait (measured: p50 lag 0.27 s off, 0.55 s on), and the histogram leaves out the refresh wait, at most "
        "`refresh_interval`.",
    )
    max_bulk_bytes: int = Field(8 * 1024 * 1024, gt=0, description="Upper bound of one bulk request body.")
    max_bulk_docs: int = Field(500, ge=1, description="Documents per bulk request (a batch is cut into several).")
    max_concurrent_bulks: int = Field(
        2, ge=1, description="Bulk requests of one batch in flight at once (encoding the next meanwhile)."
    )
    max_retry_s: float = Field(30.0, gt=0, description="How long one write retries 429/5xx/connection errors.")


def store_kind(choice: StoreChoice, platform: Platform) -> Literal["opensearch", "postgres"]:
    """`opensearch` or `postgres`: `auto` follows the platform mode."""
    if choice == "auto":
        return "postgres" if platform.mode == "standalone" else "opensearch"
    return choice


def create_log_store(
    choice: StoreChoice,
    opensearch: OpenSearchSettings,
    platform: Platform,
    *,
    dsn: str | None,
    pool_size: int,
    auto_migrate: bool | None,
    dsn_setting: str,
) -> LogStore:
    """A not-yet-started store of `store_kind(choice, platform)`. PostgreSQL: `platform.database_dsn`, else `dsn`
    (`dsn_setting` names the setting to set when neither is there); migrations applied by default in standalone."""
    if store_kind(choice, platform) == "opensearch":
        from warden_common.logstore.opensearch import OpenSearchLogStore

        return OpenSearchLogStore(
            opensearch.url,
            prefix=opensearch.index_prefix,
            shards=opensearch.shards,
            replicas=opensearch.replicas,
            refresh_interval=opensearch.refresh_interval,
            wait_for_refresh=opensearch.wait_for_refresh,
            max_bulk_bytes=opensearch.max_bulk_bytes,
            max_bulk_docs=opensearch.max_bulk_docs,
            max_concurrent_bulks=opensearch.max_concurrent_bulks,
            max_retry_s=opensearch.max_retry_s,
        )
    from warden_common.logstore.postgres import PostgresLogStore

    dsn = platform.database_dsn or dsn
    if not dsn:
        raise ServiceUnavailable(f"the PostgreSQL log store needs a database: set {dsn_setting}")
    migrate = auto_migrate if auto_migrate is not None else platform.mode == "standalone"
    return PostgresLogStore(dsn, pool_size=pool_size, migrate=migrate)
