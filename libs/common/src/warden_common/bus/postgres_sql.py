"""Tables and statements of the standalone bus, all inside one schema (`BusSettings.postgres_schema`).

- `topics(name, partitions)`: the partition count is fixed when a topic is first used.
- `partitions(topic, partition, next_offset)`: the head of each partition log. Appending takes this row's lock
  (`FOR UPDATE`) until commit, so offsets of one partition become visible in offset order and a consumer
  that has read offset n can never later find a smaller offset appear. Offsets are dense; the only gaps a
  reader can meet are records retention deleted (see `postgres_retention`).
- `records(topic, partition, offset, key, value, headers, appended_at)`: the log; `headers` packed by
  `pack_headers`. Retention (`postgres_retention`) deletes old records; an index on `appended_at` finds them.
- `group_partitions(group_name, topic, partition, lock_id, next_offset)`: the committed offset of each group
  on each partition, and the id of the advisory lock whose holder owns that partition for the group.
- `members(member_id, group_name, topic, lock_id, ...)`: live consumer-group members; a member is alive while
  its own advisory lock `lock_id` is held (see `postgres_group`).

Advisory locks use the two-int form `(namespace, lock_id)`; `namespace` is derived from the schema name so two
buses in one database never share locks, and every `lock_id` comes from one sequence (so is positive): key 0
serialises schema creation, `RETENTION_LOCK_ID` the retention deletes.

The schema is created, and upgraded, by `ddl()`: idempotent statements run at every start, so a database made by
an older version gains what was added since (new objects are added with `IF NOT EXISTS`, never changed in place).
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_NAME_LEN = struct.Struct(">H")
_VALUE_LEN = struct.Struct(">I")

RETENTION_LOCK_ID = -1


def pack_headers(headers: tuple[tuple[str, bytes], ...]) -> bytes:
    """Length-prefixed (name, value) pairs: compact, keeps order and duplicates, any bytes allowed."""
    parts: list[bytes] = []
    for name, value in headers:
        raw_name = name.encode()
        parts += (_NAME_LEN.pack(len(raw_name)), raw_name, _VALUE_LEN.pack(len(value)), value)
    return b"".join(parts)


def unpack_headers(blob: bytes) -> tuple[tuple[str, bytes], ...]:
    headers: list[tuple[str, bytes]] = []
    pos = 0
    while pos < len(blob):
        (name_len,) = _NAME_LEN.unpack_from(blob, pos)
        pos += _NAME_LEN.size
        name = blob[pos : pos + name_len].decode()
        pos += name_len
        (value_len,) = _VALUE_LEN.unpack_from(blob, pos)
        pos += _VALUE_LEN.size
        headers.append((name, blob[pos : pos + value_len]))
        pos += value_len
    return tuple(headers)


def partition_for_key(key: bytes, partitions: int) -> int:
    """Stable across processes and versions (unlike `hash()`), so a key always lands on one partition."""
    return zlib.crc32(key) % partitions


@dataclass(frozen=True)
class BusSql:
    """Every statement of the bus, with the schema name filled in once."""

    schema: str

    def __post_init__(self) -> None:
        if not _IDENTIFIER.match(self.schema):
            raise ValueError(f"bus schema must be a lowercase SQL identifier, got {self.schema!r}")

    @property
    def lock_namespace(self) -> int:
        # Positive int4, so it compares cleanly with pg_locks.classid (an oid).
        return zlib.crc32(b"warden-bus:" + self.schema.encode()) & 0x7FFFFFFF

    @property
    def notify_channel(self) -> str:
        return f"{self.schema}_appended"

    def ddl(self) -> list[str]:
        s = self.schema
        return [
            f"CREATE SCHEMA IF NOT EXISTS {s}",
            f"CREATE SEQUENCE IF NOT EXISTS {s}.lock_ids AS integer",
            f"""CREATE TABLE IF NOT EXISTS {s}.topics (
                name text PRIMARY KEY, partitions integer NOT NULL CHECK (partitions > 0))""",
            f"""CREATE TABLE IF NOT EXISTS {s}.partitions (
                topic text NOT NULL REFERENCES {s}.topics (name), partition integer NOT NULL,
                next_offset bigint NOT NULL DEFAULT 0, PRIMARY KEY (topic, partition))""",
            f"""CREATE TABLE IF NOT EXISTS {s}.records (
                topic text NOT NULL, partition integer NOT NULL, "offset" bigint NOT NULL,
                key bytea, value bytea NOT NULL, headers bytea NOT NULL,
                appended_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (topic, partition, "offset"))""",
            f"""CREATE TABLE IF NOT EXISTS {s}.group_partitions (
                group_name text NOT NULL, topic text NOT NULL, partition integer NOT NULL,
                lock_id integer NOT NULL UNIQUE DEFAULT nextval('{s}.lock_ids'),
                next_offset bigint NOT NULL DEFAULT 0, PRIMARY KEY (group_name, topic, partition))""",
            f"""CREATE TABLE IF NOT EXISTS {s}.members (
                member_id text PRIMARY KEY, group_name text NOT NULL, topic text NOT NULL,
                lock_id integer NOT NULL UNIQUE, joined_at timestamptz NOT NULL DEFAULT now(),
                heartbeat_at timestamptz NOT NULL DEFAULT now())""",
            f"CREATE INDEX IF NOT EXISTS members_by_group ON {s}.members (group_name, topic)",
            # Added with retention. On an existing database the first start builds it once, holding off appends
            # while it does (about a second per million records on the 2-core development machine).
            f"CREATE INDEX IF NOT EXISTS records_by_age ON {s}.records (appended_at)",
        ]

    # -- topics --

    def register_topic(self) -> str:
        return f"INSERT INTO {self.schema}.topics (name, partitions) VALUES ($1, $2) ON CONFLICT DO NOTHING"

    def topic_partitions(self) -> str:
        return f"SELECT partitions FROM {self.schema}.topics WHERE name = $1"

    def create_partitions(self) -> str:
        return f"""INSERT INTO {self.schema}.partitions (topic, partition)
                   SELECT $1, p FROM generate_series(0, $2 - 1) AS p ON CONFLICT DO NOTHING"""

    # -- appending (one transaction per group commit) --

    def lock_heads(self) -> str:
        # ORDER BY before FOR UPDATE: concurrent writers lock heads in the same order, so they cannot deadlock.
        return f"""SELECT h.topic, h.partition FROM {self.schema}.partitions h
                   JOIN unnest($1::text[], $2::integer[]) AS w (topic, partition)
                     ON h.topic = w.topic AND h.partition = w.partition
                   ORDER BY h.topic, h.partition FOR UPDATE OF h"""

    def advance_heads(self) -> str:
        return f"""UPDATE {self.schema}.partitions h SET next_offset = h.next_offset + w.n
                   FROM unnest($1::text[], $2::integer[], $3::integer[]) AS w (topic, partition, n)
                   WHERE h.topic = w.topic AND h.partition = w.partition
                   RETURNING h.topic, h.partition, h.next_offset - w.n AS first_offset"""

    def insert_records(self) -> str:
        return f"""INSERT INTO {self.schema}.records (topic, partition, "offset", key, value, headers)
                   SELECT * FROM unnest($1::text[], $2::integer[], $3::bigint[], $4::bytea[], $5::bytea[],
                                        $6::bytea[])"""

    def notify(self) -> str:
        return "SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload"

    # -- consuming --

    def fetch_records(self) -> str:
        return f"""SELECT "offset", key, value, headers FROM {self.schema}.records
                   WHERE topic = $1 AND partition = $2 AND "offset" >= $3 ORDER BY "offset" LIMIT $4"""

    def ensure_group_partitions(self) -> str:
        return f"""INSERT INTO {self.schema}.group_partitions (group_name, topic, partition)
                   SELECT $1, $2, p FROM generate_series(0, $3 - 1) AS p ON CONFLICT DO NOTHING"""

    def group_partition_locks(self) -> str:
        return f"""SELECT partition, lock_id FROM {self.schema}.group_partitions
                   WHERE group_name = $1 AND topic = $2 ORDER BY partition"""

    def committed_offset(self) -> str:
        return f"""SELECT next_offset FROM {self.schema}.group_partitions
                   WHERE group_name = $1 AND topic = $2 AND partition = $3"""

    def commit_offset(self) -> str:
        return f"""UPDATE {self.schema}.group_partitions SET next_offset = $4
                   WHERE group_name = $1 AND topic = $2 AND partition = $3"""

    # -- retention: each deletes one chunk and returns (topic, n) rows --

    def try_retention_lock(self) -> str:
        return "SELECT pg_try_advisory_xact_lock($1, $2)"

    def delete_expired(self) -> str:
        """Delete up to $2 records appended more than $1 seconds ago (by the server's clock), oldest first."""
        return self._delete_chunk(f"""SELECT ctid FROM {self.schema}.records
                                      WHERE appended_at < now() - $1 * interval '1 second'
                                      ORDER BY appended_at LIMIT $2""")

    def delete_excess(self) -> str:
        """Delete up to $2 records that are not among the newest $1 of their partition, oldest first."""
        return self._delete_chunk(f"""SELECT r.ctid FROM {self.schema}.partitions h
                                      CROSS JOIN LATERAL (
                                        SELECT ctid FROM {self.schema}.records
                                        WHERE topic = h.topic AND partition = h.partition
                                          AND "offset" < h.next_offset - $1::bigint
                                        ORDER BY "offset" LIMIT $2) r
                                      LIMIT $2""")

    def _delete_chunk(self, doomed: str) -> str:
        # By ctid: a TID scan touches only the chosen rows (a join on the key let the planner scan the whole table).
        return f"""WITH deleted AS (DELETE FROM {self.schema}.records WHERE ctid = ANY(ARRAY({doomed})) RETURNING topic)
                   SELECT topic, count(*) AS n FROM deleted GROUP BY topic"""

    # -- membership --

    def next_lock_id(self) -> str:
        return f"SELECT nextval('{self.schema}.lock_ids')::integer"

    def insert_member(self) -> str:
        return f"INSERT INTO {self.schema}.members (member_id, group_name, topic, lock_id) VALUES ($1, $2, $3, $4)"

    def heartbeat(self) -> str:
        return f"UPDATE {self.schema}.members SET heartbeat_at = now() WHERE member_id = $1"

    def live_members(self) -> str:
        """Members of ($1 group, $2 topic) whose advisory lock is held, i.e. whose session is alive."""
        return f"""SELECT m.member_id, {self._lock_held("m.lock_id", "$3")} AS alive
                   FROM {self.schema}.members m WHERE m.group_name = $1 AND m.topic = $2 ORDER BY m.member_id"""

    def delete_members(self) -> str:
        return f"DELETE FROM {self.schema}.members WHERE member_id = ANY($1::text[])"

    @staticmethod
    def _lock_held(lock_id: str, namespace: str) -> str:
        return f"""EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted
                     AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                     AND l.classid::bigint = {namespace} AND l.objid::bigint = {lock_id} AND l.objsubid = 2)"""
