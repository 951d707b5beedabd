"""Token validation refuses every way a token can be forged, stale or misdirected; real keys, real PyJWT."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from warden_common.auth.jwks import CachedKeySource, KeyFetchError, KeySet, parse_jwks
from warden_common.auth.tokens import InvalidToken, TokenValidator

ISSUER = "https://idp.example.test"


def _rsa_key(kid: str) -> tuple[rsa.RSAPrivateKey, dict[str, Any]]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    return private, {**public_jwk, "kid": kid, "use": "sig", "alg": "RS256"}


KEY, JWK = _rsa_key("k1")
OTHER_KEY, OTHER_JWK = _rsa_key("k2")


def _claims(*, expires_in: int = 300, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": "warden", "iat": now, "exp": now + expires_in, "preferred_username": "alice"}
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _sign(claims: dict[str, Any], key: Any = KEY, kid: str = "k1", alg: str = "RS256") -> str:
    return jwt.encode(claims, key, algorithm=alg, headers={"kid": kid})


class _Keys:
    """Serves the JWKS it is given; counts loads, and can swap in a new set (key rotation at the provider)."""

    def __init__(self, *jwks: dict[str, Any]) -> None:
        self.jwks = list(jwks)
        self.loads = 0

    async def load(self) -> KeySet:
        self.loads += 1
        return parse_jwks({"keys": self.jwks})


def _validator(keys: _Keys | None = None, **kwargs: Any) -> TokenValidator:
    source = CachedKeySource((keys or _Keys(JWK)).load, min_interval_s=0)
    return TokenValidator(source, issuer=ISSUER, audience="warden", **kwargs)


async def test_a_good_token_names_the_user_and_groups() -> None:
    principal = await _validator().validate(_sign(_claims(groups=["data-scientist"])))
    assert principal.user == "alice"
    assert principal.groups == frozenset({"data-scientist"})


async def test_the_user_claim_is_configurable() -> None:
    token = _sign(_claims(email="alice@example.test", preferred_username=None))
    principal = await _validator(user_claim="email").validate(token)
    assert principal.user == "alice@example.test"
    with pytest.raises(InvalidToken, match="preferred_username"):
        await _validator().validate(token)


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"expires_in": -3600}, "expired"),
        ({"iss": "https://evil.example.test"}, "issuer"),
        ({"aud": "someone-else"}, "audience"),
        ({"exp": None}, "exp"),
    ],
)
async def test_stale_or_misdirected_tokens_are_refused(overrides: dict[str, Any], reason: str) -> None:
    # The claims are made when the test runs, not when it is collected: a token made at collection expires in
    # 300 s, before a test that runs later in the session (the suite runs in parallel workers) gets to it.
    with pytest.raises(InvalidToken, match=reason):
        await _validator().validate(_sign(_claims(**overrides)))


async def test_a_token_signed_by_another_key_under_a_known_kid_is_refused() -> None:
    with pytest.raises(InvalidToken, match="signature"):
        await _validator().validate(_sign(_claims(), key=OTHER_KEY, kid="k1"))


def _unsigned(claims: dict[str, Any]) -> str:
    def part(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'kid': 'k1', 'typ': 'JWT'})}.{part(claims)}."


async def test_alg_none_is_refused() -> None:
    with pytest.raises(InvalidToken, match="'none' is not accepted"):
        await _validator().validate(_unsigned(_claims()))


async def test_hs256_signed_with_the_public_key_is_refused() -> None:
    """The classic confusion: HMAC keyed with the RSA public key's bytes, which a naive verifier would accept."""
    public_pem = KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "kid": "k1", "typ": "JWT"}
    signing_input = ".".join(
        base64.urlsafe_b64encode(json.dumps(p).encode()).rstrip(b"=").decode() for p in (header, _claims())
    )
    signature = base64.urlsafe_b64encode(hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest())
    token = f"{signing_input}.{signature.rstrip(b'=').decode()}"
    with pytest.raises(InvalidToken, match="'HS256' is not accepted"):
        await _validator().validate(token)


async def test_an_ec_algorithm_on_an_rsa_key_is_refused() -> None:
    token = _sign(_claims(), key=ec.generate_private_key(ec.SECP256R1()), alg="ES256")
    with pytest.raises(InvalidToken, match="does not match key"):
        await _validator().validate(token)


async def test_an_unknown_kid_refreshes_the_jwks_once_then_validates() -> None:
    keys = _Keys(JWK)
    validator = _validator(keys)
    await validator.validate(_sign(_claims()))
    await validator.validate(_sign(_claims()))
    assert keys.loads == 1  # cached
    keys.jwks.append(OTHER_JWK)  # the provider rotated in a new key
    principal = await validator.validate(_sign(_claims(), key=OTHER_KEY, kid="k2"))
    assert principal.user == "alice"
    assert keys.loads == 2


async def test_an_unknown_kid_that_stays_unknown_is_refused() -> None:
    with pytest.raises(InvalidToken, match="unknown key 'nope'"):
        await _validator().validate(_sign(_claims(), kid="nope"))


async def test_garbage_is_refused() -> None:
    with pytest.raises(InvalidToken, match="malformed"):
        await _validator().validate("not-a-jwt")


async def test_a_provider_that_cannot_be_reached_is_not_the_callers_fault() -> None:
    async def unreachable() -> KeySet:
        raise KeyFetchError("connection refused")

    validator = TokenValidator(CachedKeySource(unreachable), issuer=ISSUER, audience="warden")
    with pytest.raises(KeyFetchError):
        await validator.validate(_sign(_claims()))
