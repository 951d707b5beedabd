"""One ASGI middleware in front of everything the gateway's port serves: 401 without a valid bearer token, 403
without the rights the path needs, lists filtered to what the caller may see, the caller recorded for the routes.

In standalone it wraps the root app (gateway, mounted services, data plane); the gateway app's own copy then sees
the request already decided and lets it through, so each request is checked once.
"""

from __future__ import annotations

import contextlib
from typing import Any

import yaml
from starlette.types import ASGIApp, Receive, Scope, Send

from warden_common.auth.ingest import INGEST_CHALLENGES, ingest_token_matches
from warden_common.auth.jwks import KeyFetchError
from warden_common.auth.policy import WRITE
from warden_common.auth.principal import ACTOR_HEADER, Principal, encode_actor
from warden_common.auth.tokens import InvalidToken
from warden_common.errors import ServiceUnavailable, WardenError
from warden_gateway.authz.asgi import filtering_send, read_body, replay, respond
from warden_gateway.authz.catalog import guard_catalog, is_catalog, is_runtime, runtime_filter
from warden_gateway.authz.decisions import deployment_projects
from warden_gateway.authz.rules import API, Requirement, requirement
from warden_gateway.authz.runtime import AuthRuntime

PRINCIPAL_KEY = "warden.principal"
"""Scope key of the authenticated `Principal` (routes record it as the acting user)."""
_DECIDED_KEY = "warden.auth_decided"
INGEST_REFUSED = (
    "the request logger's ingestion needs auth.ingest_token, as 'Authorization: Bearer <token>' or as the HTTP "
    "Basic password (a logger URL http://warden:<token>@host:port/request-logger/), or an administrator's token"
)


def principal_of(scope: Scope) -> Principal | None:
    principal = scope.get(PRINCIPAL_KEY)
    return principal if isinstance(principal, Principal) else None


def _pass_on_actor(scope: Scope, principal: Principal) -> None:
    """Replace any client-sent `ACTOR_HEADER` with the token's user: the services behind the gateway (the forwarded
    catalog, standalone's mounted apps) record the header as the acting user, so it must come from here."""
    name = ACTOR_HEADER.encode()
    headers = [(key, value) for key, value in scope.get("headers", ()) if key.lower() != name]
    scope["headers"] = [*headers, (name, encode_actor(principal.user))]


def _authorization(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            return str(value.decode("latin-1"))
    return None


def _bearer(scope: Scope) -> str | None:
    scheme, _, token = (_authorization(scope) or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


class AuthMiddleware:
    def __init__(self, app: ASGIApp, runtime: AuthRuntime, mounted_services: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.runtime = runtime
        self.mounted = mounted_services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.runtime.settings.enabled or scope.get(_DECIDED_KEY):
            await self.app(scope, receive, send)
            return
        scope[_DECIDED_KEY] = True
        need = requirement(scope["method"], scope["path"], self.mounted)
        if need.kind == "exempt" or (need.kind == "ingest" and self._has_ingest_token(scope)):
            await self.app(scope, receive, send)
            return
        if need.kind == "ingest" and _bearer(scope) is None:  # no JWT either: say both ways in
            challenges = [(b"www-authenticate", c.encode()) for c in INGEST_CHALLENGES]
            await respond(send, 401, "unauthorized", INGEST_REFUSED, challenges)
            return
        try:
            proceed = await self._decide(scope, receive, send, need)
        except WardenError as err:  # raised outside the routes, so no exception handler renders it
            await respond(send, err.status_code, err.code, err.message, [])
            return
        if proceed is None:
            return
        receive, send = proceed
        await self.app(scope, receive, send)
        if need.action == WRITE and scope["path"].startswith(API + "/namespaces"):
            # A namespace's labels or a deployment's projects may have changed: decide on them from now on.
            await self.runtime.authorizer.refresh()

    def _has_ingest_token(self, scope: Scope) -> bool:
        expected = self.runtime.settings.ingest_token
        return expected is not None and ingest_token_matches(_authorization(scope), expected)

    async def _decide(
        self, scope: Scope, receive: Receive, send: Send, need: Requirement
    ) -> tuple[Receive, Send] | None:
        """Authenticate and authorize; `(receive, send)` to call the app with, or None once an error was sent."""
        principal = await self._authenticate(scope, send)
        if principal is None:
            return None
        scope[PRINCIPAL_KEY] = principal
        _pass_on_actor(scope, principal)
        authorizer = self.runtime.authorizer
        if not authorizer.decide(principal, need):
            await self._forbid(send, principal, need)
            return None
        if need.kind == "namespaces_list":
            send = filtering_send(send, lambda items: self._visible_namespaces(principal, items))
        elif need.collection is not None and need.action != WRITE:
            send = filtering_send(send, lambda listing: self._visible_deployments(principal, listing))
        elif is_runtime(scope["path"]):
            send = filtering_send(send, runtime_filter(authorizer, principal))
        elif is_catalog(scope["path"]):
            guarded = await guard_catalog(authorizer, self.runtime.upstreams, scope, receive, send, principal)
            if guarded is None:
                return None
            receive, send = guarded
        elif need.collection is not None or need.deployment is not None:
            checked = await self._check_projects(scope, receive, send, principal, need)
            if checked is None:
                return None
            receive = checked
        return receive, send

    async def _authenticate(self, scope: Scope, send: Send) -> Principal | None:
        token = _bearer(scope)
        if token is None:
            realm = b'Bearer realm="warden"'
            await respond(
                send,
                401,
                "unauthorized",
                "this API needs 'Authorization: Bearer <token>'; get a token "
                "from the token_endpoint of /.well-known/openid-configuration",
                [(b"www-authenticate", realm)],
            )
            return None
        try:
            principal = await self.runtime.validator().validate(token)
        except KeyFetchError as exc:
            raise ServiceUnavailable(f"cannot verify tokens now: {exc}") from exc
        except InvalidToken as exc:
            description = str(exc).replace('"', "'").replace("\n", " ")  # a quoted-string in the header
            challenge = f'Bearer realm="warden", error="invalid_token", error_description="{description}"'
            header = (b"www-authenticate", challenge.encode("latin-1", errors="replace"))
            await respond(send, 401, "invalid_token", f"invalid bearer token: {exc}", [header])
            return None
        return principal

    async def _forbid(self, send: Send, principal: Principal, need: Requirement) -> None:
        if need.kind == "admin":
            what = f"only members of {self.runtime.settings.admin_group!r} may do this"
        else:
            what = f"{need.action} access to namespace {need.namespace!r} is not granted to you"
        await respond(send, 403, "forbidden", f"user {principal.user!r}: {what}", [])

    async def _check_projects(
        self, scope: Scope, receive: Receive, send: Send, principal: Principal, need: Requirement
    ) -> Receive | None:
        """Policy mode: the deployment's projects (stored, and in a body being written) must allow the action."""
        authorizer = self.runtime.authorizer
        if authorizer.settings.mode != "policies" or authorizer.is_admin(principal):
            return receive
        projects: set[str] = set()
        if need.deployment is not None:
            assert need.namespace is not None
            stored = await authorizer.stored_projects(need.namespace, *need.deployment)
            projects |= stored or set()
        addresses_item = need.deployment is not None and scope["path"].rstrip("/").endswith(need.deployment[1])
        if need.action == WRITE and (need.collection is not None or addresses_item) and scope["method"] != "DELETE":
            body = await read_body(receive)
            receive = replay(body, receive)
            with contextlib.suppress(yaml.YAMLError):  # the route rejects the body with a 4xx that says why
                projects |= deployment_projects(yaml.safe_load(body) if body.strip() else None)
        if projects and not authorizer.projects_allow(principal, projects, need.action):
            shown = ", ".join(sorted(projects))
            await respond(
                send,
                403,
                "forbidden",
                f"user {principal.user!r}: {need.action} access to project(s) {shown} is not granted to you",
                [],
            )
            return None
        return receive

    def _visible_namespaces(self, principal: Principal, items: Any) -> Any:
        if not isinstance(items, list):
            return items
        names = {str(item.get("name")) for item in items if isinstance(item, dict)}
        visible = self.runtime.authorizer.visible_namespaces(principal, names)
        return [item for item in items if isinstance(item, dict) and item.get("name") in visible]

    def _visible_deployments(self, principal: Principal, listing: Any) -> Any:
        if not isinstance(listing, dict) or not isinstance(listing.get("items"), list):
            return listing
        authorizer = self.runtime.authorizer
        items = [i for i in listing["items"] if authorizer.projects_allow(principal, deployment_projects(i), "read")]
        return {**listing, "items": items}
