"""What a request needs, from its method and path alone: pure, so the route walk test and the bench use it as is.

Reading (GET/HEAD/OPTIONS) needs `read`; any other method needs `write` - that includes predictions, since they
run a model on the caller's behalf and show up in its logs and metrics. `gitrestore` / `gitrevert` change the
deployment whatever the method (seldon-deploy-sdk 1.6 sends them as GET): `write`. Feature distribution and
statistics queries are POSTs that only read: `read`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from warden_common.auth.policy import READ, WRITE, Action
from warden_gateway.identity.issuer import AUTHORIZE_PATH, DISCOVERY_PATH, JWKS_PATH, TOKEN_PATH

API = "/seldon-deploy/api/v1alpha1"
DATA_PLANE = "/seldon/"
DEPLOYMENT_PLURALS = frozenset({"seldondeployments", "inferenceservices"})

EXEMPT_PATHS = frozenset(
    {
        "/health/live",
        "/health/ready",
        "/metrics",
        DISCOVERY_PATH,
        JWKS_PATH,
        TOKEN_PATH,
        AUTHORIZE_PATH,
        "/seldon-deploy/swagger/",
        "/seldon-deploy/swagger/oauth2-redirect",
        f"{API}/openapi.json",  # the API's description, no data: the Swagger page needs it to render
        f"{API}/ui/config",  # how the UI signs in and its theme: needed before anyone has a token
    }
)
UI_PREFIXES = ("/ui/", "/assets/", "/seldon-deploy/swagger/assets/")
"""The web UI's routes on the client and its hashed assets (`warden_gateway.ui`), and the Swagger page's JS and CSS
(the UI's "API docs" link; a browser sends no token for them): static files, no data."""
_ADMIN_PREFIXES = (f"{API}/requests", f"{API}/authorization", f"{API}/users", f"{API}/usage")
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WRITING_SUBRESOURCES = frozenset({"gitrestore", "gitrevert"})
"""Deployment sub-resources that change the deployment even when called with GET."""

Kind = Literal["exempt", "authenticated", "admin", "namespace", "namespaces_list", "ingest"]
INGEST_PATHS = frozenset({"/request-logger", "/request-logger/"})
"""Standalone's request-logger ingestion route: executors' CloudEvents (shared token or an administrator)."""


@dataclass(frozen=True, slots=True)
class Requirement:
    kind: Kind
    action: Action = READ
    namespace: str | None = None
    deployment: tuple[str, str] | None = None
    """`(plural, name)` of the deployment the path addresses, if any: project checks apply to it."""
    collection: str | None = None
    """The deployment kind's plural on a collection path (list / create): lists are filtered."""


MONITOR_QUERIES = frozenset({"featuredistributions", "featurestatistics"})
"""POSTs under `{deployment}/monitor/` that only read (the seldon-deploy-sdk sends their query as a body)."""

EXEMPT = Requirement("exempt")
ADMIN = Requirement("admin", WRITE)


def requirement(method: str, path: str, mounted_services: frozenset[str] = frozenset()) -> Requirement:
    action: Action = READ if method.upper() in _READ_METHODS else WRITE
    if path in EXEMPT_PATHS or _is_service_health(path, mounted_services):
        return EXEMPT
    if action == READ and is_ui_path(path):
        return EXEMPT
    if method.upper() == "POST" and path in INGEST_PATHS and "request-logger" in mounted_services:
        return Requirement("ingest", WRITE)
    if path.startswith(API + "/namespaces"):
        return _namespaced(path.removeprefix(API + "/namespaces").split("/")[1:], action)
    if path.startswith(DATA_PLANE):
        parts = path.removeprefix(DATA_PLANE).split("/")
        if len(parts) >= 2 and parts[0] and parts[1]:
            return Requirement("namespace", action, parts[0], ("*", parts[1]))
        return Requirement("authenticated", action)
    if path.startswith(API + "/model/metadata"):
        # The model catalog: checked per project in policy mode, runtime metadata filtered (authz.catalog).
        return Requirement("authenticated", action)
    first = path.split("/", 2)[1] if path.count("/") >= 1 else ""
    if first in mounted_services or path.startswith(_ADMIN_PREFIXES):
        # Standalone's mounted service APIs are internal; cross-deployment log search and usage span every namespace;
        # users and policies decide who may do what.
        return ADMIN
    return Requirement("authenticated", action)


def is_ui_path(path: str) -> bool:
    """The web UI's shell (`/`, `/ui`, `/ui/...`) and assets (`/assets/...`, Swagger's): public, like the Swagger page;
    every API call the UI makes carries the user's token and is checked as usual."""
    return path in ("/", "/ui") or path.startswith(UI_PREFIXES)


def _namespaced(parts: list[str], action: Action) -> Requirement:
    if not parts or parts == [""]:
        return Requirement("namespaces_list") if action == READ else ADMIN
    namespace = parts[0]
    if len(parts) == 1:
        # Relabelling or deleting a namespace changes who may see it: that is an administrator's decision.
        return Requirement("namespace", READ, namespace) if action == READ else ADMIN
    plural = parts[1]
    if plural not in DEPLOYMENT_PLURALS:
        return Requirement("namespace", action, namespace)
    if len(parts) == 2 or parts[2] == "":
        return Requirement("namespace", action, namespace, collection=plural)
    if parts[2] == "validate":
        return Requirement("namespace", READ, namespace)  # stores nothing
    if len(parts) > 3 and parts[3] in WRITING_SUBRESOURCES:
        action = WRITE
    if len(parts) == 5 and parts[3] == "monitor" and parts[4] in MONITOR_QUERIES:
        action = READ  # a query sent as a POST body: it stores nothing
    return Requirement("namespace", action, namespace, (plural, parts[2]))


def _is_service_health(path: str, mounted_services: frozenset[str]) -> bool:
    service, _, rest = path.removeprefix("/").partition("/")
    return service in mounted_services and f"/{rest}" in ("/health/live", "/health/ready", "/metrics")
