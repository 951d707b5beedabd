"""An asyncpg pool whose connections read and write json/jsonb as Python objects."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

logger = logging.getLogger(__name__)


async def _init_connection(conn: asyncpg.Connection) -> None:
    # Without these codecs asyncpg hands jsonb back as str and expects str on the way in.
    for type_name in ("json", "jsonb"):
        await conn.set_type_codec(type_name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


@asynccontextmanager
async def open_pool(
    dsn: str,
    *,
    min_size: int = 1,
    max_size: int = 10,
    command_timeout: float | None = 30.0,
    application_name: str = "warden",
) -> AsyncIterator[asyncpg.Pool]:
    """Yield a connected pool (json/jsonb decoded to Python values); closed on exit."""
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        command_timeout=command_timeout,
        init=_init_connection,
        server_settings={"application_name": application_name},
    )
    try:
        yield pool
    finally:
        await pool.close()
