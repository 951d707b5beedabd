"""The built-in provider's authorization endpoint (RFC 6749 4.1, PKCE RFC 7636, S256 only): a login page that,
given the right user name and password, redirects back to the client with a single-use code and the client's
`state`.

RFC 6749 4.1.2.1: while the client or its redirect URI is unknown, the error is shown on the page and the browser
is NOT redirected (that would make the endpoint an open redirector); once both are known, other errors go back to
the redirect URI as `error` / `error_description` / `state`.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from warden_gateway.identity.codes import CHALLENGE, AuthorizationCodes, IssuedCode
from warden_gateway.identity.issuer import AUTHORIZE_PATH, PUBLIC_CLIENT_ID

if TYPE_CHECKING:
    from warden_gateway.authz.runtime import AuthRuntime

_PARAMS = ("response_type", "client_id", "redirect_uri", "state", "scope", "code_challenge", "code_challenge_method")
_HEADERS = {"Cache-Control": "no-store", "X-Frame-Options": "DENY", "Content-Security-Policy": "frame-ancestors 'none'"}


class _Stop(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; background: #f5f5f5; color: #1a1a1a; margin: 0; }}
main {{ max-width: 360px; margin: 10vh auto; background: #fff; padding: 2rem; border-radius: 8px;
  box-shadow: 0 1px 4px rgba(0,0,0,.2); }}
label {{ display: block; margin-top: 1rem; font-weight: 600; }}
input {{ width: 100%; box-sizing: border-box; padding: .5rem; font-size: 1rem; margin-top: .25rem; }}
button {{ margin-top: 1.5rem; width: 100%; padding: .6rem; font-size: 1rem; background: #1a4f8b; color: #fff;
  border: 0; border-radius: 4px; cursor: pointer; }}
button:focus, input:focus {{ outline: 3px solid #f0a000; }}
.error {{ color: #b00020; font-weight: 600; }}
</style></head>
<body><main>{body}</main></body></html>"""
    return HTMLResponse(html, status_code=status, headers=_HEADERS)


def _error_page(message: str, status: int = 400) -> HTMLResponse:
    body = f'<h1>Sign-in failed</h1><p class="error" role="alert">{escape(message)}</p>'
    return _page("Sign-in failed", body, status)


def _login_page(params: dict[str, str], error: str | None = None, user: str = "") -> HTMLResponse:
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{escape(params[name])}">' for name in _PARAMS if name in params
    )
    alert = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    body = f"""<h1>Sign in to Warden</h1>{alert}
<form method="post" action="{AUTHORIZE_PATH}">{hidden}
<label for="username">User name</label>
<input id="username" name="username" autocomplete="username" required autofocus value="{escape(user)}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>"""
    return _page("Sign in to Warden", body, 401 if error else 200)


def _back(redirect_uri: str, params: dict[str, str], **answer: str) -> RedirectResponse:
    """303 so the browser GETs the client's page even after our POST (RFC 9110 15.4.4)."""
    state = {"state": params["state"]} if "state" in params else {}
    separator = "&" if "?" in redirect_uri else "?"
    return RedirectResponse(f"{redirect_uri}{separator}{urlencode({**answer, **state})}", 303, headers=_HEADERS)


def _checked(params: dict[str, str], allowed_redirects: list[str]) -> str:
    """The redirect URI once the request is valid; `_Stop` with the page or redirect that says what is wrong."""
    if params.get("client_id") != PUBLIC_CLIENT_ID:
        raise _Stop(_error_page(f"unknown client_id {params.get('client_id')!r}: this provider's UI client is "
                                f"{PUBLIC_CLIENT_ID!r}"))  # fmt: skip
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri not in allowed_redirects:  # RFC 6749 3.1.2.3: exact string comparison
        raise _Stop(_error_page(f"redirect_uri {redirect_uri!r} is not registered for {PUBLIC_CLIENT_ID!r}; "
                                f"registered: {', '.join(allowed_redirects)}"))  # fmt: skip
    if params.get("response_type") != "code":
        raise _Stop(_back(redirect_uri, params, error="unsupported_response_type",
                          error_description="response_type must be 'code'"))  # fmt: skip
    if params.get("code_challenge_method") != "S256" or not CHALLENGE.match(params.get("code_challenge", "")):
        raise _Stop(_back(redirect_uri, params, error="invalid_request",
                          error_description="PKCE is required: code_challenge (43 base64url characters) with "
                          "code_challenge_method=S256"))  # fmt: skip
    return redirect_uri


def _single(pairs: list[tuple[str, str]]) -> dict[str, str] | None:
    names = [name for name, _ in pairs]
    return None if len(names) != len(set(names)) else dict(pairs)


def authorize_handlers(
    runtime: AuthRuntime, redirect_uris: Callable[[], list[str]]
) -> tuple[Callable[[Request], object], Callable[[Request], object]]:
    async def show(request: Request) -> Response:
        params = _single(list(request.query_params.multi_items()))
        if params is None:
            return _error_page("a parameter was sent more than once (RFC 6749 3.1)")
        if not runtime.settings.enabled:
            return _error_page("authentication is off on this Warden: there is nothing to sign in to")
        try:
            _checked(params, redirect_uris())
        except _Stop as stop:
            return stop.response
        return _login_page(params)

    async def login(request: Request) -> Response:
        if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return _error_page("send the login form as application/x-www-form-urlencoded")
        form = _single(parse_qsl((await request.body()).decode(errors="replace")))
        if form is None:
            return _error_page("a parameter was sent more than once (RFC 6749 3.1)")
        if not runtime.settings.enabled:
            return _error_page("authentication is off on this Warden: there is nothing to sign in to")
        params = {name: form[name] for name in _PARAMS if name in form}
        try:
            redirect_uri = _checked(params, redirect_uris())
        except _Stop as stop:
            return stop.response
        users, _, _ = runtime.identity()
        codes = runtime.codes
        if codes is None:
            return _error_page("the built-in identity provider is not running", 503)
        name, password = form.get("username", ""), form.get("password", "")
        ip = request.client.host if request.client else "unknown"
        wait = runtime.limiter.retry_after(name, ip)
        if wait > 0:
            return _login_page(params, f"too many failed logins; retry in {int(wait) + 1} s", name)
        account = await users.authenticate(name, password, client=False) if name and password else None
        if account is None:
            runtime.limiter.failed(name, ip)
            return _login_page(params, "wrong user name or password", name)
        runtime.limiter.succeeded(name, ip)
        code = await codes.issue(IssuedCode(PUBLIC_CLIENT_ID, redirect_uri, params["code_challenge"], account.name))
        return _back(redirect_uri, params, code=code)

    return show, login


__all__ = ["AuthorizationCodes", "authorize_handlers"]
