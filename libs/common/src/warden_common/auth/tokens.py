"""Validates bearer tokens: signature against the provider's keys, issuer, audience, expiry; then who it names.

Only asymmetric algorithms are accepted, and each key only with its own family (an RSA key never verifies an
HS256 or ES256 token), so neither `alg: none` nor the HS/RS confusion attack can pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jwt

from warden_common.auth.jwks import KeySource
from warden_common.auth.principal import Principal

ALLOWED_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
_KEY_FAMILY = {"RSA": ("RS", "PS"), "EC": ("ES",), "OKP": ("EdDSA",)}


class InvalidToken(Exception):
    """The token is missing, malformed, wrongly signed, expired, or not meant for us; the message says which."""


class TokenValidator:
    def __init__(
        self,
        keys: KeySource,
        *,
        issuer: str,
        audience: str,
        user_claim: str = "preferred_username",
        groups_claim: str = "groups",
        leeway_s: float = 30.0,
    ) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._user_claim = user_claim
        self._groups_claim = groups_claim
        self._leeway_s = leeway_s

    async def validate(self, token: str) -> Principal:
        claims = await self.claims(token)
        return self.principal(claims)

    async def claims(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"malformed token: {exc}") from exc
        alg, kid = header.get("alg"), header.get("kid")
        if alg not in ALLOWED_ALGORITHMS:
            raise InvalidToken(f"token algorithm {alg!r} is not accepted (allowed: {', '.join(ALLOWED_ALGORITHMS)})")
        if not isinstance(kid, str):
            raise InvalidToken("token header has no key id (kid)")
        key = await self._key(kid)
        if not str(alg).startswith(_KEY_FAMILY.get(str(key.key_type), ("-",))):
            raise InvalidToken(f"token algorithm {alg} does not match key {kid!r} of type {key.key_type}")
        try:
            return jwt.decode(
                token,
                key.key,
                algorithms=[str(alg)],
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway_s,
                options={"require": ["exp", "iat", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("token expired") from exc
        except jwt.InvalidAudienceError as exc:
            raise InvalidToken(f"token audience is not {self._audience!r}") from exc
        except jwt.InvalidIssuerError as exc:
            raise InvalidToken(f"token issuer is not {self._issuer!r}") from exc
        except jwt.InvalidSignatureError as exc:
            raise InvalidToken("token signature does not verify") from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"invalid token: {exc}") from exc

    def principal(self, claims: dict[str, Any]) -> Principal:
        user = claims.get(self._user_claim)
        if not isinstance(user, str) or not user:
            raise InvalidToken(f"token has no {self._user_claim!r} claim naming the user")
        groups = claims.get(self._groups_claim) or []
        if not isinstance(groups, Sequence) or isinstance(groups, str):
            raise InvalidToken(f"token claim {self._groups_claim!r} must be a list of group names")
        return Principal(user=user, groups=frozenset(str(g) for g in groups), client=bool(claims.get("client")))

    async def _key(self, kid: str) -> jwt.PyJWK:
        # KeyFetchError propagates: the provider being down is not the caller's fault (503, not 401).
        keys = await self._keys.keys()
        if kid not in keys:
            keys = await self._keys.keys(refresh=True)
        if kid not in keys:
            raise InvalidToken(f"token signed with unknown key {kid!r}")
        return keys[kid]
