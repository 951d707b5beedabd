"""Project-based authorization of the model catalog (`/model/metadata`, owned by the metadata service), policy mode:
a model belongs to one project (`project`, default `default`); listing shows the models of readable projects,
registering needs `write` on the model's project, updating and deleting need `write` on its current project and, for
an update, on the project it is moved to (demo 5.1.13 steps 6-7). The current project is asked of the metadata
service by URI (unique in the catalog).

Runtime metadata (`/model/metadata/runtime`, which model runs in which deployment) shows only the entries of
deployments the caller may read, as deployment lists do: the namespace's rules in both modes, and in policy mode
the deployment's projects too (read from the gateway's own store, in one query per page)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

import httpx
from starlette.types import Receive, Scope, Send

from warden_common.auth.policy import READ, WRITE
from warden_common.auth.principal import Principal
from warden_common.errors import ServiceUnavailable
from warden_common.upstreams import SERVICE_API_PREFIX, Upstreams
from warden_gateway.authz.asgi import filtering_send, read_body, replay, respond
from warden_gateway.authz.decisions import DEFAULT_PROJECT, Authorizer
from warden_gateway.authz.rules import API

CATALOG_PATH = f"{API}/model/metadata"
RUNTIME_PATH = f"{CATALOG_PATH}/runtime"
METADATA = "metadata"


def is_catalog(path: str) -> bool:
    return path.rstrip("/") == CATALOG_PATH


def is_runtime(path: str) -> bool:
    return path.rstrip("/") == RUNTIME_PATH


def runtime_filter(authorizer: Authorizer, principal: Principal) -> Callable[[Any], Awaitable[Any]]:
    """Keeps the runtime entries of deployments `principal` may read (a page may come out shorter)."""

    async def keep(page: Any) -> Any:
        if authorizer.is_admin(principal) or not isinstance(page, dict):
            return page
        entries = page.get("runtimeMetadata")
        if not isinstance(entries, list):
            return page
        readable = [e for e in entries if isinstance(e, dict) and _namespace_readable(authorizer, principal, e)]
        if authorizer.settings.mode == "policies":
            projects = await authorizer.projects_of(_deployment(e) for e in readable)
            readable = [
                e
                for e in readable
                if (found := projects.get(_deployment(e))) is not None
                and authorizer.projects_allow(principal, found, READ)
            ]
        return {**page, "runtimeMetadata": readable}

    return keep


def _deployment(entry: dict[str, Any]) -> tuple[str, str, str]:
    return str(entry.get("deploymentNamespace")), str(entry.get("deploymentName")), str(entry.get("deploymentType"))


def _namespace_readable(authorizer: Authorizer, principal: Principal, entry: dict[str, Any]) -> bool:
    return authorizer.namespace_allows(principal, str(entry.get("deploymentNamespace")), READ)


async def current_project(upstreams: Upstreams | None, uri: str) -> str | None:
    """The project of the catalog entry with this URI; None if there is none."""
    if upstreams is None:
        raise ServiceUnavailable("the model catalog's authorization needs the metadata service")
    try:
        answer = await upstreams.client(METADATA).get(f"{SERVICE_API_PREFIX}/model/metadata", params={"URI": uri})
    except httpx.TransportError as exc:
        raise ServiceUnavailable(f"the metadata service cannot be reached: {exc!r}") from exc
    models = answer.json().get("models", []) if answer.status_code == 200 else []
    for model in models:
        if model.get("URI") == uri:
            return str(model.get("project") or DEFAULT_PROJECT)
    return None


async def guard_catalog(
    authorizer: Authorizer,
    upstreams: Upstreams | None,
    scope: Scope,
    receive: Receive,
    send: Send,
    principal: Principal,
) -> tuple[Receive, Send] | None:
    """`(receive, send)` to go on with (the body replayed, the list filtered), or None once a 403 was sent."""
    if authorizer.settings.mode != "policies" or authorizer.is_admin(principal):
        return receive, send
    method = scope["method"]
    if method in ("GET", "HEAD"):
        return receive, filtering_send(send, lambda page: _readable(authorizer, principal, page))
    projects: set[str] = set()
    if method in ("POST", "PUT"):
        body = await read_body(receive)
        receive = replay(body, receive)
        try:
            model = json.loads(body)
        except ValueError:
            return receive, send  # the metadata service answers 400 saying why
        if not isinstance(model, dict):
            return receive, send
        projects.add(str(model.get("project") or DEFAULT_PROJECT))
        uri = model.get("URI") if method == "PUT" else None
    else:
        uri = (parse_qs(scope.get("query_string", b"").decode()).get("URI") or [None])[0]
    if isinstance(uri, str) and uri and (existing := await current_project(upstreams, uri)) is not None:
        projects.add(existing)
    if not authorizer.projects_allow(principal, projects, WRITE):
        shown = ", ".join(sorted(projects)) or "(none)"
        await respond(send, 403, "forbidden", f"user {principal.user!r}: write access to project(s) {shown} is "
                      "not granted to you", [])  # fmt: skip
        return None
    return receive, send


def _readable(authorizer: Authorizer, principal: Principal, page: Any) -> Any:
    """A catalog page without the models of projects the caller may not read (the page may come out shorter)."""
    if not isinstance(page, dict) or not isinstance(page.get("models"), list):
        return page
    kept = [
        model
        for model in page["models"]
        if isinstance(model, dict)
        and authorizer.projects_allow(principal, (str(model.get("project") or DEFAULT_PROJECT),), READ)
    ]
    return {**page, "models": kept}
