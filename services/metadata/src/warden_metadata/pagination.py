"""Keyset pagination: `orderBy` parsing, opaque page tokens, and the SQL that continues after a token.

A token carries the sort-key values of the last row it returned plus that row's id (the final tie-breaker), so
the next page starts strictly after it: rows inserted meanwhile never shift a page (no duplicates, no gaps among
the rows that existed), which OFFSET cannot promise. A token is bound to the query and order it came from.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from warden_common.errors import BadRequest
from warden_metadata.query import SqlParams

SORT_FIELDS = {
    "uri": "m.uri",
    "name": "COALESCE(m.name, '')",
    "version": "COALESCE(m.version, '')",
    "project": "m.project",
    "artifact_type": "m.artifact_type",
    "task_type": "COALESCE(m.task_type, '')",
}
"""orderBy field -> sort expression (NULL sorts as '' so every key compares; the id breaks ties)."""

_ALIASES = {"artifacttype": "artifact_type", "tasktype": "task_type"}
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool

    @property
    def expression(self) -> str:
        return SORT_FIELDS[self.field]


def parse_order_by(order_by: str | None) -> list[SortKey]:
    """`"name desc, version"` -> sort keys (SQL-like, comma separated, ascending unless ` desc`)."""
    keys: list[SortKey] = []
    for part in (order_by or "").split(","):
        words = part.split()
        if not words:
            continue
        field = _ALIASES.get(words[0].lower(), words[0].lower())
        direction = words[1].lower() if len(words) > 1 else "asc"
        if field not in SORT_FIELDS or direction not in ("asc", "desc") or len(words) > 2:
            raise BadRequest(
                f"invalid orderBy {part.strip()!r}: use 'field [asc|desc], ...' with fields {', '.join(SORT_FIELDS)}",
                details={"field": "orderBy", "allowed": list(SORT_FIELDS)},
            )
        if any(key.field == field for key in keys):
            raise BadRequest(f"orderBy names {field!r} twice", details={"field": "orderBy"})
        keys.append(SortKey(field, direction == "desc"))
    return keys


def page_size(requested: int | None) -> int:
    if requested is None or requested == 0:
        return DEFAULT_PAGE_SIZE
    if requested < 0:
        raise BadRequest("pageSize must not be negative", details={"field": "pageSize"})
    return min(requested, MAX_PAGE_SIZE)


def fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def encode_token(bound_to: str, values: Sequence[Any], last_id: int) -> str:
    raw = json.dumps({"f": bound_to, "k": list(values), "id": last_id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_token(token: str, bound_to: str, n_values: int) -> tuple[list[Any], int]:
    """(sort-key values, id) of a token issued for the same query and order; `BadRequest` otherwise."""
    invalid = BadRequest(
        "pageToken is not a token from a previous page of this listing", details={"field": "pageToken"}
    )
    try:
        decoded: Mapping[str, Any] = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise invalid from None
    if not isinstance(decoded, dict) or decoded.get("f") != bound_to:
        raise invalid
    values, last_id = decoded.get("k"), decoded.get("id")
    if not isinstance(values, list) or len(values) != n_values or not isinstance(last_id, int):
        raise invalid
    if not all(isinstance(v, str) for v in values):
        raise invalid
    return values, last_id


def after_clause(keys: Sequence[SortKey], values: Sequence[Any], last_id: int, params: SqlParams) -> str:
    """SQL true for rows that sort strictly after (values, last_id) in `keys` order, then id ascending."""
    placeholders = [f"{params.add(value)}::text" for value in values]
    id_placeholder = params.add(last_id)
    branches: list[str] = []
    for i in range(len(keys) + 1):
        equal = [f"{keys[j].expression} = {placeholders[j]}" for j in range(i)]
        if i < len(keys):
            op = "<" if keys[i].descending else ">"
            step = f"{keys[i].expression} {op} {placeholders[i]}"
        else:
            step = f"m.id > {id_placeholder}"
        branches.append("(" + " AND ".join([*equal, step]) + ")")
    return "(" + " OR ".join(branches) + ")"


def order_clause(keys: Sequence[SortKey]) -> str:
    parts = [f"{key.expression} {'DESC' if key.descending else 'ASC'}" for key in keys]
    return ", ".join([*parts, "m.id ASC"])
