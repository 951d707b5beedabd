"""The built-in provider's OpenID Connect endpoints: discovery, JWKS and token (password and client-credentials
grants). Errors follow RFC 6749 5.2 (`error`, `error_description`), which OAuth clients parse, plus Warden's
`code` / `reason` / `message`."""

from __future__ import annotations

import base64
import binascii
import math
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from warden_common.api_docs import error_responses
from warden_gateway.identity.docs import (
    TOKEN_REQUEST,
    TOKEN_RESPONSES,
    DiscoveryDocument,
    JsonWebKeySet,
)
from warden_gateway.identity.issuer import (
    DISCOVERY_PATH,
    JWKS_PATH,
    PUBLIC_CLIENT_ID,
    TOKEN_PATH,
    TokenIssuer,
)
from warden_gateway.identity.ratelimit import LoginLimiter
from warden_gateway.identity.users import Account, UserStore

if TYPE_CHECKING:
    from warden_gateway.authz.runtime import AuthRuntime

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _oauth_error(status: int, error: str, description: str, headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"error": error, "error_description": description, "code": status, "reason": error, "message": description}
    return JSONResponse(body, status_code=status, headers={**_NO_STORE, **(headers or {})})


class _Refused(Exception):
    def __init__(self, response: JSONResponse) -> None:
        self.response = response


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str | None, str | None]:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            client_id, _, secret = base64.b64decode(header[6:], validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise _Refused(_oauth_error(401, "invalid_client", "malformed Basic credentials")) from exc
        return client_id, secret
    return form.get("client_id"), form.get("client_secret")


class TokenEndpoint:
    def __init__(self, users: UserStore, issuer: TokenIssuer, limiter: LoginLimiter) -> None:
        self._users = users
        self._issuer = issuer
        self._limiter = limiter

    async def handle(self, request: Request) -> JSONResponse:
        if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return _oauth_error(400, "invalid_request", "send the token request as application/x-www-form-urlencoded")
        form = dict(parse_qsl((await request.body()).decode(errors="replace")))
        try:
            client_id, client_secret = _client_credentials(request, form)
            grant = form.get("grant_type")
            if grant == "password":
                account = await self._password_grant(request, form, client_id)
            elif grant == "client_credentials":
                account = await self._client_grant(request, client_id, client_secret)
            else:
                return _oauth_error(
                    400, "unsupported_grant_type", f"grant_type {grant!r}: use 'password' or 'client_credentials'"
                )
        except _Refused as refused:
            return refused.response
        return JSONResponse(await self._issuer.issue(account), headers=_NO_STORE)

    async def _password_grant(self, request: Request, form: dict[str, str], client_id: str | None) -> Account:
        if client_id != PUBLIC_CLIENT_ID:
            raise _Refused(
                _oauth_error(401, "invalid_client", f"the password grant is for client_id {PUBLIC_CLIENT_ID!r}")
            )
        username, password = form.get("username"), form.get("password")
        if not username or password is None:
            raise _Refused(_oauth_error(400, "invalid_request", "the password grant needs 'username' and 'password'"))
        return await self._check(request, username, password, client=False)

    async def _client_grant(self, request: Request, client_id: str | None, secret: str | None) -> Account:
        if not client_id or secret is None:
            raise _Refused(_oauth_error(401, "invalid_client", "client_credentials needs a client id and secret"))
        return await self._check(request, client_id, secret, client=True)

    async def _check(self, request: Request, name: str, password: str, *, client: bool) -> Account:
        ip = request.client.host if request.client else "unknown"
        wait = self._limiter.retry_after(name, ip)
        if wait > 0:
            raise _Refused(
                _oauth_error(
                    429,
                    "slow_down",
                    f"too many failed logins for {name!r} from {ip}; retry in {math.ceil(wait)} s",
                    {"Retry-After": str(math.ceil(wait))},
                )
            )
        account = await self._users.authenticate(name, password, client=client)
        if account is None:
            self._limiter.failed(name, ip)
            error = "invalid_client" if client else "invalid_grant"
            raise _Refused(_oauth_error(401 if client else 400, error, "wrong user name or password"))
        self._limiter.succeeded(name, ip)
        return account


def identity_router(runtime: AuthRuntime) -> APIRouter:
    """The stores of `runtime` exist once the gateway's lifespan has opened them (503 before)."""
    router = APIRouter(tags=["authentication"])

    @router.get(
        DISCOVERY_PATH,
        summary="OpenID Connect discovery document",
        response_model=DiscoveryDocument,
        responses=error_responses(503),
    )
    async def discovery(request: Request) -> dict[str, Any]:
        _, _, issuer = runtime.identity()
        return issuer.discovery(str(request.base_url))

    @router.get(
        JWKS_PATH,
        summary="The public keys tokens are signed with",
        response_model=JsonWebKeySet,
        responses=error_responses(503),
    )
    async def jwks() -> dict[str, Any]:
        _, keys, _ = runtime.identity()
        return await keys.jwks()

    @router.post(
        TOKEN_PATH,
        summary="OAuth2 token endpoint (password and client-credentials grants)",
        description="Takes `application/x-www-form-urlencoded` (RFC 6749 4.3 and 4.4). Errors are OAuth2's "
        '`{"error", "error_description"}` (RFC 6749 5.2), with Warden\'s `code`, `reason`, `message` too.',
        responses=TOKEN_RESPONSES,
        openapi_extra=TOKEN_REQUEST,
    )
    async def token(request: Request) -> JSONResponse:
        users, _, issuer = runtime.identity()
        return await TokenEndpoint(users, issuer, runtime.limiter).handle(request)

    return router
