"""An asyncpg pool whose connections read and write json/jsonb as Python objects."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

logger = logging.getLogger(__name__)


async def _init_connection(conn: asyncpg.Connection, *, jsonb_dumps: Callable[[Any], str] = json.dumps) -> None:
    # Without these codecs asyncpg hands jsonb back as str and expects str on the way in.
    await conn.set_type_codec("json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    await conn.set_type_codec("jsonb", encoder=jsonb_dumps, decoder=json.loads, schema="pg_catalog")


@asynccontextmanager
async def open_pool(
    dsn: str,
    *,
    min_size: int = 1,
    max_size: int = 10,
    command_timeout: float | None = 30.0,
    application_name: str = "warden",
    jsonb_dumps: Callable[[Any], str] = json.dumps,
) -> AsyncIterator[asyncpg.Pool]:
    """Yield a connected pool (json/jsonb decoded to Python values); closed on exit.

    `jsonb_dumps` encodes `jsonb` parameters (a faster encoder for a hot write path, e.g. the log store's)."""
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        command_timeout=command_timeout,
        init=lambda conn: _init_connection(conn, jsonb_dumps=jsonb_dumps),
        server_settings={"application_name": application_name},
    )
    try:
        yield pool
    finally:
        await pool.close()
