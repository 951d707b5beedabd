"""The built-in provider's OpenID Connect endpoints: discovery, JWKS, authorization (login page, code + PKCE) and
token (password, client-credentials and authorization-code grants). Errors follow RFC 6749 5.2 (`error`,
`error_description`), which OAuth clients parse, plus Warden's `code` / `reason` / `message`."""

from __future__ import annotations

import base64
import binascii
import math
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote_plus

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from warden_common.api_docs import error_responses
from warden_gateway.identity.authorize import authorize_handlers
from warden_gateway.identity.codes import AuthorizationCodes, verifier_matches
from warden_gateway.identity.docs import (
    TOKEN_REQUEST,
    TOKEN_RESPONSES,
    DiscoveryDocument,
    JsonWebKeySet,
)
from warden_gateway.identity.issuer import (
    AUTHORIZE_PATH,
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

TOKENS_DISABLED = (
    "authentication is off on this Warden (auth.enabled=false): it issues no tokens, and the API takes requests "
    "without one"
)
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_BASIC_CHALLENGE = {"WWW-Authenticate": 'Basic realm="warden", charset="UTF-8"'}


def _oauth_error(status: int, error: str, description: str, headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"error": error, "error_description": description, "code": status, "reason": error, "message": description}
    return JSONResponse(body, status_code=status, headers={**_NO_STORE, **(headers or {})})


def _invalid_client(description: str) -> JSONResponse:
    """RFC 6749 5.2: a 401 `invalid_client` carries the challenge of the scheme clients authenticate with (HTTP
    Basic, 2.3.1), so an HTTP client that sent none learns it (a 401 must challenge: RFC 9110 15.5.2)."""
    return _oauth_error(401, "invalid_client", description, _BASIC_CHALLENGE)


class _Refused(Exception):
    def __init__(self, response: JSONResponse) -> None:
        self.response = response


def _form(body: bytes) -> dict[str, str]:
    """The request's parameters; RFC 6749 3.2: each at most once, and one sent without a value counts as absent."""
    pairs = parse_qsl(body.decode(errors="replace"))
    names = [name for name, _ in pairs]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise _Refused(_oauth_error(400, "invalid_request", f"parameter(s) sent more than once: {', '.join(repeated)}"))
    return dict(pairs)


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str | None, str | None]:
    """RFC 6749 2.3.1: HTTP Basic with the form-urlencoded client id and secret, or `client_id` / `client_secret`
    in the body; not both (2.3: one authentication method per request)."""
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return form.get("client_id"), form.get("client_secret")
    if "client_secret" in form:
        raise _Refused(_oauth_error(400, "invalid_request", "send the client secret in one place: Basic or the form"))
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise _Refused(_invalid_client("malformed Basic credentials: not base64 of UTF-8 'id:secret'")) from exc
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        raise _Refused(_invalid_client("malformed Basic credentials: no ':' between client id and secret"))
    client_id = unquote_plus(client_id)
    if form.get("client_id", client_id) != client_id:
        raise _Refused(_oauth_error(400, "invalid_request", "client_id in the form differs from the Basic one"))
    return client_id, unquote_plus(secret)


class TokenEndpoint:
    def __init__(
        self, users: UserStore, issuer: TokenIssuer, limiter: LoginLimiter, codes: AuthorizationCodes | None = None
    ) -> None:
        self._users = users
        self._issuer = issuer
        self._limiter = limiter
        self._codes = codes

    async def handle(self, request: Request) -> JSONResponse:
        if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return _oauth_error(400, "invalid_request", "send the token request as application/x-www-form-urlencoded")
        try:
            form = _form(await request.body())
            client_id, client_secret = _client_credentials(request, form)
            grant = form.get("grant_type")
            if grant is None:
                return _oauth_error(400, "invalid_request", "grant_type is missing: 'password' or 'client_credentials'")
            if grant == "password":
                account = await self._password_grant(request, form, client_id, client_secret)
            elif grant == "client_credentials":
                account = await self._client_grant(request, client_id, client_secret)
            elif grant == "authorization_code" and self._codes is not None:
                account = await self._code_grant(form, client_id, self._codes)
            else:
                return _oauth_error(
                    400,
                    "unsupported_grant_type",
                    f"grant_type {grant!r}: use 'password', 'client_credentials' or 'authorization_code'",
                )
        except _Refused as refused:
            return refused.response
        return JSONResponse(await self._issuer.issue(account), headers=_NO_STORE)

    async def _password_grant(
        self, request: Request, form: dict[str, str], client_id: str | None, client_secret: str | None
    ) -> Account:
        if client_id != PUBLIC_CLIENT_ID:
            raise _Refused(_invalid_client(f"the password grant is for the public client_id {PUBLIC_CLIENT_ID!r}"))
        # A secret sent for the public client is ignored, not refused: RFC 6749 2.3 lets a server accept one but
        # never rely on it, and SDK configurations copied from Seldon Deploy's docs often carry one.
        del client_secret
        username, password = form.get("username"), form.get("password")
        if not username or password is None:
            raise _Refused(_oauth_error(400, "invalid_request", "the password grant needs 'username' and 'password'"))
        return await self._check(request, username, password, client=False)

    async def _code_grant(self, form: dict[str, str], client_id: str | None, codes: AuthorizationCodes) -> Account:
        """RFC 6749 4.1.3 with RFC 7636 4.5-4.6: the code is used up by this request whatever its outcome, so a
        leaked code cannot be retried with guessed verifiers."""
        if client_id != PUBLIC_CLIENT_ID:
            raise _Refused(_invalid_client(f"authorization codes are issued to the public client {PUBLIC_CLIENT_ID!r}"))
        code, verifier = form.get("code"), form.get("code_verifier")
        if not code or not verifier or "redirect_uri" not in form:
            raise _Refused(
                _oauth_error(400, "invalid_request", "the code grant needs 'code', 'redirect_uri' and 'code_verifier'")
            )
        grant = await codes.redeem(code)
        if grant is None:
            raise _Refused(_oauth_error(400, "invalid_grant", "the code is unknown, expired or already used"))
        if grant.client_id != client_id or grant.redirect_uri != form["redirect_uri"]:
            raise _Refused(
                _oauth_error(400, "invalid_grant", "redirect_uri differs from the one the code was issued for")
            )
        if not verifier_matches(verifier, grant.code_challenge):
            raise _Refused(_oauth_error(400, "invalid_grant", "code_verifier does not match the code_challenge (S256)"))
        account = await self._users.get(grant.account)
        if account is None or account.is_client:
            raise _Refused(_oauth_error(400, "invalid_grant", f"user {grant.account!r} no longer exists"))
        return account

    async def _client_grant(self, request: Request, client_id: str | None, secret: str | None) -> Account:
        if client_id == PUBLIC_CLIENT_ID:
            raise _Refused(
                _oauth_error(
                    400, "unauthorized_client", f"the public client {PUBLIC_CLIENT_ID!r} uses the password grant"
                )
            )
        if not client_id or not secret:
            raise _Refused(_invalid_client("client_credentials needs a client id and secret (HTTP Basic)"))
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
            if client:
                raise _Refused(_invalid_client("wrong client id or secret"))
            raise _Refused(_oauth_error(400, "invalid_grant", "wrong user name or password"))
        self._limiter.succeeded(name, ip)
        return account


def identity_router(runtime: AuthRuntime, redirect_uris: list[str] | None = None) -> APIRouter:
    """The stores of `runtime` exist once the gateway's lifespan has opened them (503 before). `redirect_uris`:
    where the authorization endpoint may send the public client back (default `<issuer>/ui/callback`)."""
    router = APIRouter(tags=["authentication"])

    def allowed_redirects() -> list[str]:
        return redirect_uris or [runtime.issuer_url.rstrip("/") + "/ui/callback"]

    show, login = authorize_handlers(runtime, allowed_redirects)
    # An HTML page and its form, not API operations (like the Swagger page and the UI shell): plain routes, out of
    # the OpenAPI document; discovery's `authorization_endpoint` is how clients find it.
    router.add_route(AUTHORIZE_PATH, show, methods=["GET", "HEAD"], include_in_schema=False)  # type: ignore[arg-type]
    router.add_route(AUTHORIZE_PATH, login, methods=["POST"], include_in_schema=False)  # type: ignore[arg-type]

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
        if not runtime.settings.enabled:
            # Off, the provider issues nothing: a token would open nothing (the API is open) yet suggest otherwise,
            # and users made while auth was off (by anyone) must not sign in. Said in OAuth2's terms.
            return _oauth_error(400, "invalid_request", TOKENS_DISABLED)
        users, _, issuer = runtime.identity()
        return await TokenEndpoint(users, issuer, runtime.limiter, runtime.codes).handle(request)

    return router
