"""`warden login` and `warden users ...`: the CLI side of the built-in identity provider.

`warden login` runs the OAuth2 password grant found through the server's discovery document and keeps the token in
$WARDEN_HOME/credentials.json (mode 0600); `warden users` then calls the users API with it, and `warden token`
prints it for curl and other clients.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import httpx
import typer

from warden_common.settings import StandaloneSettings

users_app = typer.Typer(
    help="Manage the built-in identity provider's users (administrators only).", no_args_is_help=True
)

CLIENT_ID = "warden"
USERS_PATH = "/seldon-deploy/api/v1alpha1/users"

UrlOption = Annotated[
    str | None, typer.Option("--url", help="Warden's base URL (default: the one `warden login` used, else :8080).")
]


def _credentials_path() -> Path:
    return StandaloneSettings().resolved_home() / "credentials.json"


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


def _message(answer: httpx.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        return answer.text
    return str(body.get("message") or body.get("error_description") or body) if isinstance(body, dict) else answer.text


def login(
    user: Annotated[str, typer.Option("--user", "-u", help="User name.")],
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, envvar="WARDEN_PASSWORD", help="Password ($WARDEN_PASSWORD).")
    ],
    url: Annotated[str, typer.Option("--url", help="Warden's base URL.")] = "http://127.0.0.1:8080",
) -> None:
    """Get a token with the password grant and keep it for the other commands."""
    base = url.rstrip("/")
    with httpx.Client(timeout=30) as client:
        try:
            discovery = client.get(f"{base}/.well-known/openid-configuration")
        except httpx.HTTPError as exc:
            raise _fail(f"cannot reach {base}: {exc}") from exc
        if discovery.status_code != 200:
            raise _fail(f"{base} has no OpenID discovery document ({discovery.status_code}): {_message(discovery)}")
        form = {"grant_type": "password", "client_id": CLIENT_ID, "username": user, "password": password}
        answer = client.post(discovery.json()["token_endpoint"], data=form)
    if answer.status_code != 200:
        raise _fail(f"login refused ({answer.status_code}): {_message(answer)}")
    token = answer.json()
    path = _credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump({"url": base, "user": user, "access_token": token["access_token"],
                   "expires_at": time.time() + float(token.get("expires_in", 0))}, out)  # fmt: skip
    typer.echo(f"logged in to {base} as {user} (token kept in {path})")


def _session(url: str | None) -> tuple[str, dict[str, str]]:
    path = _credentials_path()
    if not path.exists():
        raise _fail("not logged in: run `warden login --user <name>` first")
    stored: dict[str, Any] = json.loads(path.read_text())
    if stored.get("expires_at", 0) < time.time():
        raise _fail(f"the token of {stored.get('user')!r} has expired: run `warden login` again")
    return (url or stored["url"]).rstrip("/"), {"Authorization": f"Bearer {stored['access_token']}"}


def token() -> None:
    """Print the access token `warden login` kept, for curl: -H "Authorization: Bearer $(warden token)"."""
    _, headers = _session(None)
    typer.echo(headers["Authorization"].removeprefix("Bearer "))


def _call(method: str, url: str | None, path: str, **kwargs: Any) -> Any:
    base, headers = _session(url)
    with httpx.Client(timeout=30) as client:
        answer = client.request(method, f"{base}{path}", headers=headers, **kwargs)
    if answer.status_code >= 400:
        raise _fail(f"{answer.status_code}: {_message(answer)}")
    return answer.json()


@users_app.command("list")
def list_users(url: UrlOption = None) -> None:
    """List users and service clients: name, groups, kind."""
    for account in _call("GET", url, USERS_PATH):
        kind = "client" if account["client"] else "user"
        typer.echo(f"{account['name']}\t{','.join(account['groups'])}\t{kind}")


@users_app.command("add")
def add_user(
    name: Annotated[str, typer.Argument(help="User (or client) name.")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="WARDEN_NEW_PASSWORD",
            help="Its password, or a client's secret ($WARDEN_NEW_PASSWORD).",
        ),
    ],
    group: Annotated[list[str] | None, typer.Option("--group", "-g", help="A group (repeatable).")] = None,
    client: Annotated[bool, typer.Option("--client", help="A service client (client-credentials grant).")] = False,
    url: UrlOption = None,
) -> None:
    """Create a user or service client."""
    body = {"name": name, "password": password, "groups": group or [], "client": client}
    created = _call("POST", url, USERS_PATH, json=body)
    typer.echo(f"created {created['name']} (groups: {', '.join(created['groups']) or 'none'})")


@users_app.command("delete")
def delete_user(name: Annotated[str, typer.Argument(help="User (or client) name.")], url: UrlOption = None) -> None:
    """Delete a user or service client (tokens already issued stay valid until they expire)."""
    _call("DELETE", url, f"{USERS_PATH}/{quote(name, safe='')}")
    typer.echo(f"deleted {name}")
