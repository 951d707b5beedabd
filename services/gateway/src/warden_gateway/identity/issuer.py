"""Mints the built-in provider's access tokens (RS256 JWTs) and checks the token endpoint's grants."""

from __future__ import annotations

import secrets
import time
from typing import Any

import jwt

from warden_common.auth.settings import AuthSettings
from warden_gateway.identity.keys import ALGORITHM, SigningKeys
from warden_gateway.identity.users import Account


class TokenIssuer:
    def __init__(self, keys: SigningKeys, settings: AuthSettings, issuer: str) -> None:
        self._keys = keys
        self._settings = settings
        self.issuer = issuer

    async def issue(self, account: Account) -> dict[str, Any]:
        """The token response (RFC 6749 5.1); `id_token` too, as the SDK's OIDCAuthenticator prefers it."""
        key = await self._keys.current()
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self._settings.audience,
            "sub": account.name,
            self._settings.user_claim: account.name,
            self._settings.groups_claim: list(account.groups),
            "client": account.is_client,
            "iat": now,
            "nbf": now,
            "exp": now + self._settings.token_ttl_s,
            "jti": secrets.token_urlsafe(16),
        }
        token = jwt.encode(claims, key.private, algorithm=ALGORITHM, headers={"kid": key.kid})
        response: dict[str, Any] = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": self._settings.token_ttl_s,
        }
        if not account.is_client:
            response["id_token"] = token
        return response

    def discovery(self, base_url: str) -> dict[str, Any]:
        base = base_url.rstrip("/")
        return {
            "issuer": self.issuer,
            "token_endpoint": f"{base}{TOKEN_PATH}",
            "jwks_uri": f"{base}{JWKS_PATH}",
            "authorization_endpoint": f"{base}{AUTHORIZE_PATH}",
            "grant_types_supported": ["password", "client_credentials", "authorization_code"],
            "response_types_supported": ["code"],
            "code_challenge_methods_supported": ["S256"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [ALGORITHM],
            "token_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post"],
            "claims_supported": [
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                self._settings.user_claim,
                self._settings.groups_claim,
            ],
        }


DISCOVERY_PATH = "/.well-known/openid-configuration"
TOKEN_PATH = "/oauth2/token"
JWKS_PATH = "/oauth2/jwks"
AUTHORIZE_PATH = "/oauth2/authorize"
PUBLIC_CLIENT_ID = "warden"
