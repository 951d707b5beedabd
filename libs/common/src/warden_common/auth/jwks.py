"""Where a token validator gets its verification keys: a provider's JWKS, cached, refreshed on an unknown `kid`."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

import httpx
import jwt

KeySet = Mapping[str, jwt.PyJWK]


class KeySource(Protocol):
    async def keys(self, *, refresh: bool = False) -> KeySet:
        """The current keys by `kid`; `refresh=True` asks for a fresh copy (a token named a `kid` not cached)."""
        ...


class KeyFetchError(Exception):
    """The provider's discovery document or JWKS could not be read."""


def parse_jwks(document: Mapping[str, Any]) -> dict[str, jwt.PyJWK]:
    """Keys of a JWKS by `kid`; keys without a `kid` or of an unusable type are skipped (RFC 7517 4.5)."""
    keys: dict[str, jwt.PyJWK] = {}
    for entry in document.get("keys", []):
        kid = entry.get("kid")
        if not isinstance(kid, str) or entry.get("use", "sig") != "sig":
            continue
        try:
            keys[kid] = jwt.PyJWK(entry)
        except jwt.PyJWTError:
            continue
    return keys


class CachedKeySource:
    """Caches what `load` returns; reloads at most once per `min_interval_s` when asked to refresh."""

    def __init__(self, load: Callable[[], Awaitable[KeySet]], min_interval_s: float = 10.0) -> None:
        self._load = load
        self._min_interval_s = min_interval_s
        self._keys: KeySet | None = None
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()

    def invalidate(self) -> None:
        """The keys are known to have changed (rotated here): the next unknown `kid` reloads at once."""
        self._loaded_at = 0.0

    async def keys(self, *, refresh: bool = False) -> KeySet:
        if self._keys is not None and not refresh:
            return self._keys
        async with self._lock:
            stale = time.monotonic() - self._loaded_at >= self._min_interval_s
            if self._keys is None or (refresh and stale):
                self._keys = await self._load()
                self._loaded_at = time.monotonic()
            return self._keys


def remote_jwks(issuer: str, client: httpx.AsyncClient, min_interval_s: float = 10.0) -> CachedKeySource:
    """Keys of an external OIDC provider: its discovery document names the `jwks_uri`."""
    discovery_url = issuer.rstrip("/") + "/.well-known/openid-configuration"

    async def load() -> KeySet:
        try:
            discovery = (await client.get(discovery_url)).raise_for_status().json()
            if discovery.get("issuer") != issuer:
                raise KeyFetchError(f"{discovery_url} names issuer {discovery.get('issuer')!r}, expected {issuer!r}")
            jwks = (await client.get(discovery["jwks_uri"])).raise_for_status().json()
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            raise KeyFetchError(f"cannot read the keys of OIDC provider {issuer}: {exc}") from exc
        return parse_jwks(jwks)

    return CachedKeySource(load, min_interval_s)
