"""RS256 signing keys of the built-in provider, stored in PostgreSQL so every gateway replica signs and verifies
with the same ones.

Private keys are stored as PKCS#8 PEM encrypted with the configured passphrase (`BestAvailableEncryption`:
AES-256-CBC with a scrypt-derived key), so a database dump alone does not let anyone mint tokens. Rotation adds
a new key that signs from then on; older keys stay in the JWKS for `token_ttl_s` so tokens they signed keep
working until they expire, and are then dropped.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_SIZE = 2048
ALGORITHM = "RS256"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private: rsa.RSAPrivateKey
    created_at: datetime

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key()))
        return {**jwk, "kid": self.kid, "use": "sig", "alg": ALGORITHM}


class SigningKeys:
    def __init__(self, pool: asyncpg.Pool, passphrase: bytes, token_ttl_s: int) -> None:
        self._pool = pool
        self._passphrase = passphrase
        self._ttl = timedelta(seconds=token_ttl_s)
        self._decrypted: dict[str, rsa.RSAPrivateKey] = {}  # decrypting (scrypt) is slow: once per key

    async def current(self) -> SigningKey:
        """The newest key; creates the first one on first use."""
        keys = await self.published()
        return keys[0] if keys else await self.rotate()

    async def rotate(self) -> SigningKey:
        private = await asyncio.to_thread(rsa.generate_private_key, 65537, KEY_SIZE)
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(self._passphrase),
        ).decode()
        kid = secrets.token_urlsafe(12)
        async with self._pool.acquire() as conn:
            created = await conn.fetchval(
                "INSERT INTO gateway.signing_keys (kid, private_pem) VALUES ($1, $2) RETURNING created_at", kid, pem
            )
        return SigningKey(kid, private, created)

    async def published(self) -> list[SigningKey]:
        """The newest key and every older key retired less than a token lifetime ago, newest first."""
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT kid, private_pem, created_at FROM gateway.signing_keys ORDER BY created_at DESC"
            )
        keys: list[SigningKey] = []
        now = datetime.now(UTC)
        for index, row in enumerate(rows):
            # A key stops signing when the next newer one is created; it verifies for a token lifetime more.
            retired_at = rows[index - 1]["created_at"] if index else None
            if retired_at is not None and now - retired_at > self._ttl:
                break
            private = self._decrypted.get(row["kid"])
            if private is None:
                private = self._decrypted[row["kid"]] = await asyncio.to_thread(self._load, row["private_pem"])
            keys.append(SigningKey(row["kid"], private, row["created_at"]))
        return keys

    def _load(self, pem: str) -> rsa.RSAPrivateKey:
        key = serialization.load_pem_private_key(pem.encode(), password=self._passphrase)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("a stored signing key is not an RSA key")
        return key

    async def jwks(self) -> dict[str, Any]:
        return {"keys": [key.public_jwk() for key in await self.published()]}
