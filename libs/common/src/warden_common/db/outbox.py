"""Transactional outbox: an event is written in the same PostgreSQL transaction as the change it describes.

Publishing to the bus inside a transaction is wrong both ways: publish-then-commit can announce a change that
never happened (the commit fails), commit-then-publish can lose the event (the publish fails). In distributed
mode the bus is Kafka, so no database transaction can cover the publish. Instead a service calls
`Outbox.enqueue(conn, event, topic=..., key=...)` inside its transaction; the encoded Kafka record is stored
in `<schema>.outbox` and only exists if the change committed. `OutboxRelay` (outbox_relay.py) then publishes
the stored records and deletes them afterwards: at least once, in order per key.

Per-key order = commit order. Row ids come from an identity column, assigned at insert time, but transactions
commit in any order, so a later id of a key could become visible before an earlier one and a relay would
publish them backwards. `enqueue` therefore takes a transaction-scoped advisory lock on (outbox, key) before it
inserts: a second transaction enqueueing the same key waits for the first to commit or roll back, and ids of
one key are then in commit order. (Transactions enqueueing several keys should do so in a stable order, e.g.
sorted, like any multi-row locking, so two of them cannot deadlock.)

The table comes from `Outbox.migration(version)`: the service puts it into its own migration list, in its own
schema. The DDL text below is frozen (applied migrations are checksummed, and a unit test pins it); a change
to the table must be a new, separately versioned statement, never an edit.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import asyncpg

from warden_common.codec import Event, to_kafka_record
from warden_common.db.migrations import Migration

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,40}$")

OUTBOX_TABLE_DDL_V1 = """\
-- Transactional outbox (warden_common.db.outbox): Kafka records waiting for the relay to publish them.
CREATE SCHEMA IF NOT EXISTS {schema};

CREATE TABLE {schema}.outbox (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    topic         text        NOT NULL,
    key           bytea,
    header_names  text[]      NOT NULL,
    header_values bytea[]     NOT NULL,
    value         bytea       NOT NULL,
    enqueued_at   timestamptz NOT NULL DEFAULT now()
);
"""
"""Never edit: services' applied migrations carry its checksum (see the module docstring)."""


def _int32(text: bytes) -> int:
    return int.from_bytes(hashlib.sha256(text).digest()[:4], "big", signed=True)


def _int64(text: bytes) -> int:
    return int.from_bytes(hashlib.sha256(text).digest()[:8], "big", signed=True)


@dataclass(frozen=True)
class Outbox:
    """The outbox table `<schema>.outbox` of one service (its schema, so each service migrates its own)."""

    schema: str

    def __post_init__(self) -> None:
        if not _SCHEMA_NAME.match(self.schema):
            raise ValueError(f"outbox schema {self.schema!r} must be a lowercase SQL identifier")

    @property
    def table(self) -> str:
        return f"{self.schema}.outbox"

    @property
    def channel(self) -> str:
        """The NOTIFY channel `enqueue` signals (delivered by PostgreSQL at commit, dropped on rollback)."""
        return f"warden_outbox_{self.schema}"

    @property
    def leader_lock_key(self) -> int:
        """Session advisory lock (bigint space) held by the one relay that publishes this outbox."""
        return _int64(f"warden.outbox.relay:{self.table}".encode())

    def key_lock_ids(self, key: bytes) -> tuple[int, int]:
        """Transaction advisory lock (two-int space, apart from the bigint one) serializing one key's enqueues."""
        return _int32(self.table.encode()), _int32(key)

    def migration(self, version: int, name: str = "transactional_outbox") -> Migration:
        """The migration creating this outbox, to add to the service's own list at `version`."""
        return Migration(version, name, OUTBOX_TABLE_DDL_V1.format(schema=self.schema))

    async def enqueue(
        self, connection: asyncpg.Connection, event: Event, *, topic: str, key: str | bytes | None
    ) -> int:
        """Store `event` for `topic` in the caller's transaction; the relay publishes it once that commits.

        The record is encoded now (exactly what `Bus.publish` would send), so the relay publishes stored bytes
        and never depends on event classes. Returns the row id. Raises `RuntimeError` outside a transaction:
        an outbox row committed on its own is no better than publishing directly.
        """
        if not connection.is_in_transaction():
            raise RuntimeError("Outbox.enqueue needs the caller's transaction (use `async with conn.transaction()`)")
        raw_key, headers, value = to_kafka_record(event, key)
        if raw_key is not None:
            first, second = self.key_lock_ids(raw_key)
            await connection.execute(
                "SELECT pg_advisory_xact_lock($1, $2), pg_notify($3, '')", first, second, self.channel
            )
        else:
            await connection.execute("SELECT pg_notify($1, '')", self.channel)
        row_id: int = await connection.fetchval(
            f"""INSERT INTO {self.table} (topic, key, header_names, header_values, value)
                VALUES ($1, $2, $3, $4, $5) RETURNING id""",
            topic,
            raw_key,
            [name for name, _ in headers],
            [data for _, data in headers],
            value,
        )
        return row_id
