"""Authorization codes of the built-in provider (RFC 6749 4.1) bound to a PKCE S256 challenge (RFC 7636).

A code is 256 random bits, lives `CODE_TTL_S`, and is redeemed at most once: the token request deletes its row
(`DELETE ... RETURNING`), so two concurrent redemptions cannot both succeed. Only its sha256 is stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

import asyncpg

CODE_TTL_S = 60
"""RFC 6749 4.1.2: "a maximum authorization code lifetime of 10 minutes is RECOMMENDED"; a browser redirect and
the token request that follows take seconds."""

VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
"""RFC 7636 4.1: code_verifier = 43*128unreserved."""
CHALLENGE = re.compile(r"^[A-Za-z0-9\-_]{43}$")
"""An S256 challenge: base64url (no padding) of a sha256 digest is 43 characters."""


def s256(verifier: str) -> str:
    """RFC 7636 4.2: BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def verifier_matches(verifier: str, challenge: str) -> bool:
    return VERIFIER.match(verifier) is not None and hmac.compare_digest(s256(verifier), challenge)


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedCode:
    client_id: str
    redirect_uri: str
    code_challenge: str
    account: str


class AuthorizationCodes:
    def __init__(self, pool: asyncpg.Pool, ttl_s: int = CODE_TTL_S) -> None:
        self._pool = pool
        self._ttl_s = ttl_s

    async def issue(self, grant: IssuedCode) -> str:
        code = secrets.token_urlsafe(32)
        async with self._pool.acquire() as conn:
            # Expired codes are dropped as new ones are made: the table holds at most a minute of logins.
            await conn.execute("DELETE FROM gateway.authorization_codes WHERE expires_at < now()")
            await conn.execute(
                "INSERT INTO gateway.authorization_codes (code_hash, client_id, redirect_uri, code_challenge, "
                "account, expires_at) VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))",
                _hash(code),
                grant.client_id,
                grant.redirect_uri,
                grant.code_challenge,
                grant.account,
                float(self._ttl_s),
            )
        return code

    async def redeem(self, code: str) -> IssuedCode | None:
        """The grant of an unexpired, unused code, which is used up by this call; None otherwise."""
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(
                "DELETE FROM gateway.authorization_codes WHERE code_hash = $1 "
                "RETURNING client_id, redirect_uri, code_challenge, account, expires_at > now() AS fresh",
                _hash(code),
            )
        if row is None or not row["fresh"]:
            return None
        return IssuedCode(row["client_id"], row["redirect_uri"], row["code_challenge"], row["account"])
