"""What the built-in provider's endpoints answer, as the public OpenAPI document shows it (documentation only).

Discovery follows OpenID Connect Discovery 1.0, the key set RFC 7517, the token response RFC 6749 5.1 and the token
endpoint's errors RFC 6749 5.2: OAuth clients parse those shapes, so they are documented as the protocol's own
bodies (`x-warden-protocol-body`), not as Warden's common error body (which they repeat, for Warden's own clients).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from warden_common.api_docs import ErrorBody, Responses
from warden_gateway.identity.issuer import PUBLIC_CLIENT_ID

_BASE = "http://127.0.0.1:8080"
_TOKEN = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIiwidHlwIjoiSldUIn0.eyJpc3MiOiJodHRwOi8vMTI3LjAuMC4xOjgwODAifQ.c2lnbmF0dXJl"


class DiscoveryDocument(BaseModel):
    """OpenID Connect discovery metadata of the built-in provider."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "issuer": _BASE,
                "token_endpoint": f"{_BASE}/oauth2/token",
                "jwks_uri": f"{_BASE}/oauth2/jwks",
                "authorization_endpoint": f"{_BASE}/oauth2/authorize",
                "grant_types_supported": ["password", "client_credentials", "authorization_code"],
                "response_types_supported": ["code"],
                "code_challenge_methods_supported": ["S256"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post"],
                "claims_supported": ["sub", "iss", "aud", "exp", "iat", "preferred_username", "groups"],
            }
        }
    )

    issuer: str = Field(description="The `iss` of every token (`auth.issuer`, else the gateway's base URL).")
    token_endpoint: str
    jwks_uri: str
    authorization_endpoint: str = Field(description="Listed because OAuth clients require it; no browser login yet.")
    grant_types_supported: list[str]
    response_types_supported: list[str]
    code_challenge_methods_supported: list[str]
    subject_types_supported: list[str]
    id_token_signing_alg_values_supported: list[str]
    token_endpoint_auth_methods_supported: list[str]
    claims_supported: list[str]


class JsonWebKey(BaseModel):
    """One RSA public key (RFC 7517 / 7518 6.3.1)."""

    model_config = ConfigDict(extra="allow")

    kty: Literal["RSA"]
    kid: str = Field(description="The `kid` header of the tokens it verifies.")
    use: Literal["sig"]
    alg: str
    n: str = Field(description="Modulus, base64url.")
    e: str = Field(description="Exponent, base64url.")


class JsonWebKeySet(BaseModel):
    """The keys tokens are signed with: the current one and, for one token lifetime after a rotation, older ones."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "keys": [{"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256", "n": "0vx7agoebGcQSuu", "e": "AQAB"}]
            }
        }
    )

    keys: list[JsonWebKey]


class TokenResponse(BaseModel):
    """A successful token request (RFC 6749 5.1). Sent with `Cache-Control: no-store`."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {"access_token": _TOKEN, "token_type": "Bearer", "expires_in": 3600, "id_token": _TOKEN}
        }
    )

    access_token: str = Field(description="An RS256 JWT: send it as `Authorization: Bearer <access_token>`.")
    token_type: Literal["Bearer"]
    expires_in: int = Field(description="Seconds until it expires (`auth.token_ttl_s`).")
    id_token: str | None = Field(
        default=None, description="The same JWT, for OpenID clients (password grant only; not for service clients)."
    )


OAuthErrorCode = Literal[
    "invalid_request", "invalid_client", "invalid_grant", "unsupported_grant_type", "slow_down", "unauthorized_client"
]


class OAuthError(BaseModel):
    """The token endpoint's error (RFC 6749 5.2), with Warden's `code`, `reason` (= `error`) and `message`
    (= `error_description`) repeated for Warden's own clients."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "error": "invalid_grant",
                "error_description": "wrong user name or password",
                "code": 400,
                "reason": "invalid_grant",
                "message": "wrong user name or password",
            }
        }
    )

    error: OAuthErrorCode
    error_description: str
    code: int
    reason: str
    message: str


_FORM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "`password` grant: `client_id` (`warden`), `username`, `password`. `client_credentials` grant: "
    "a service client's `client_id` and `client_secret`, here or as HTTP Basic credentials.",
    "properties": {
        "grant_type": {"type": "string", "enum": ["password", "client_credentials"]},
        "client_id": {"type": "string", "description": f"`{PUBLIC_CLIENT_ID}` for the password grant."},
        "client_secret": {"type": "string", "description": "client_credentials only (unless sent as HTTP Basic)."},
        "username": {"type": "string", "description": "password grant only."},
        "password": {"type": "string", "format": "password", "description": "password grant only."},
        "scope": {"type": "string", "description": "Accepted and ignored: a token carries the user's groups."},
    },
    "required": ["grant_type"],
}

TOKEN_REQUEST: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": _FORM_SCHEMA,
                "examples": {
                    "password": {
                        "summary": "A user signs in (public client `warden`)",
                        "value": {
                            "grant_type": "password",
                            "client_id": PUBLIC_CLIENT_ID,
                            "username": "admin",
                            "password": "correct horse battery staple",
                        },
                    },
                    "client_credentials": {
                        "summary": "A service client",
                        "value": {
                            "grant_type": "client_credentials",
                            "client_id": "ci-bot",
                            "client_secret": "s3cret-of-ci-bot",
                        },
                    },
                },
            }
        },
    }
}


def _oauth_error(description: str, example: dict[str, Any], headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "model": OAuthError,
        "description": f"{description} (OAuth2's error body, RFC 6749 5.2)",
        "content": {"application/json": {"example": example}},
        "x-warden-protocol-body": True,
    }
    if headers:
        response["headers"] = headers
    return response


def _example(status: int, error: str, description: str) -> dict[str, Any]:
    return {"error": error, "error_description": description, "code": status, "reason": error, "message": description}


TOKEN_RESPONSES: Responses = {
    200: {"model": TokenResponse, "description": "The token (RFC 6749 5.1)"},
    400: _oauth_error(
        "A malformed request (`invalid_request`: no `grant_type`, a parameter twice, the secret both in Basic and "
        "the form), a wrong user name or password (`invalid_grant`), another grant type (`unsupported_grant_type`), "
        f"or `client_credentials` for the public client `{PUBLIC_CLIENT_ID}` (`unauthorized_client`); with auth off "
        "every request (`invalid_request`: no tokens are issued)",
        _example(400, "invalid_grant", "wrong user name or password"),
    ),
    401: _oauth_error(
        "Client authentication failed (`invalid_client`): a wrong client id or secret, malformed Basic "
        f"credentials, or the password grant with a client id other than `{PUBLIC_CLIENT_ID}`",
        _example(401, "invalid_client", "wrong client id or secret"),
        {
            "WWW-Authenticate": {
                "description": '`Basic realm="warden", charset="UTF-8"`: clients authenticate with HTTP Basic '
                "(RFC 6749 2.3.1, 5.2)",
                "required": True,
                "schema": {"type": "string"},
            }
        },
    ),
    429: _oauth_error(
        "Too many failed logins for this user from this address (`slow_down`)",
        _example(429, "slow_down", "too many failed logins for 'admin' from 10.0.0.7; retry in 42 s"),
        {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
    ),
    503: {"model": ErrorBody, "description": "The built-in provider is not running (no database or passphrase)"},
}
