"""Users, groups and service clients of the built-in identity provider, with argon2id password hashes."""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass
from typing import Any

import asyncpg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from warden_common.errors import Conflict, NotFound, Unprocessable
from warden_common.names import account_name_problem

MIN_PASSWORD_LENGTH = 8

# argon2-cffi's defaults (RFC 9106 low-memory profile: 64 MiB, 3 passes). Hashing runs in a thread so a login
# never stalls the event loop.
_HASHER = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified when the user does not exist, so that a wrong name costs as long as a wrong password. Made on first
    use, not at import: a hash costs ~0.3 s of CPU, which every process importing the gateway (each `warden` command)
    would pay."""
    return _HASHER.hash("no such user")


@dataclass(frozen=True)
class Account:
    name: str
    groups: tuple[str, ...]
    is_client: bool

    def to_api(self) -> dict[str, Any]:
        return {"name": self.name, "groups": list(self.groups), "client": self.is_client}


def _check(name: Any, password: Any, groups: Any) -> tuple[str, str, list[str]]:
    problems = []
    if problem := account_name_problem(name):
        problems.append(f"name: {problem}")
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"password: a string of at least {MIN_PASSWORD_LENGTH} characters")
    if not isinstance(groups, list) or not all(account_name_problem(g) is None for g in groups):
        problems.append("groups: a list of group names (letters, digits, '.', '_', '@', '-')")
    if problems:
        raise Unprocessable(f"invalid user: {'; '.join(problems)}")
    return name, password, sorted(set(groups))


class UserStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def create(self, body: Any, *, created_by: str, is_client: bool = False) -> Account:
        if not isinstance(body, dict):
            raise Unprocessable('the body must be an object {"name", "password", "groups"}')
        name, password, groups = _check(body.get("name"), body.get("password"), body.get("groups", []))
        hashed = await asyncio.to_thread(_HASHER.hash, password)
        async with self._pool.acquire() as conn:
            inserted = await conn.fetchval(
                "INSERT INTO gateway.users (name, password_hash, groups, is_client, created_by)"
                " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING RETURNING true",
                name,
                hashed,
                groups,
                is_client,
                created_by,
            )
        if not inserted:
            raise Conflict(f"user {name!r} already exists")
        return Account(name, tuple(groups), is_client)

    async def list(self) -> list[Account]:
        async with self._pool.acquire() as conn:
            rows = await conn.fetch("SELECT name, groups, is_client FROM gateway.users ORDER BY name")
        return [Account(r["name"], tuple(r["groups"]), r["is_client"]) for r in rows]

    async def delete(self, name: str) -> None:
        async with self._pool.acquire() as conn:
            deleted = await conn.fetchval("DELETE FROM gateway.users WHERE name = $1 RETURNING true", name)
        if not deleted:
            raise NotFound(f"user {name!r} not found")

    async def count(self) -> int:
        async with self._pool.acquire() as conn:
            return int(await conn.fetchval("SELECT count(*) FROM gateway.users"))

    async def authenticate(self, name: str, password: str, *, client: bool) -> Account | None:
        """The account if `password` is its password (a client's secret when `client`), else None."""
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(
                "SELECT name, password_hash, groups, is_client FROM gateway.users WHERE name = $1", name
            )
        known = row is not None and row["is_client"] == client
        stored = row["password_hash"] if known else await asyncio.to_thread(_dummy_hash)
        try:
            await asyncio.to_thread(_HASHER.verify, stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None or row["is_client"] != client:
            return None
        return Account(row["name"], tuple(row["groups"]), row["is_client"])

    async def get(self, name: str) -> Account | None:
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow("SELECT name, groups, is_client FROM gateway.users WHERE name = $1", name)
        return None if row is None else Account(row["name"], tuple(row["groups"]), row["is_client"])
