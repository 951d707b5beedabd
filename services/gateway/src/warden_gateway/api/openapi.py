"""The one public OpenAPI document: every public route of every service, at the URL the public reaches it.

Each service documents its own routes (it owns their parameters, bodies and answers); this module only places
them. A service route is public at:

- `/api/v1alpha1/<path>` -> `/seldon-deploy/api/v1alpha1/<path>`: the gateway forwards it unchanged
  (model catalog, request-log search, resources);
- `/seldon/...` -> the same path: the data plane, mounted at `/seldon` in standalone and forwarded by the
  gateway in distributed mode;
- anything else (the request-logger's CloudEvents ingestion `POST /`) is reached on the service itself: in
  standalone at `/<service><path>` on the same port; in distributed mode at `<path>` of the service's own
  address, given as that path's OpenAPI `servers` (a variable defaulting to the gateway's configured
  upstream URL for the service), since the gateway does not forward it.

Health, metrics and routes marked `INTERNAL_ONLY` (service-to-service calls) are left out. The gateway's own
forwarders are not in the document (`include_in_schema=False`): the owning service's operation stands for them.
Each operation carries `x-warden-service`, the service that answers it. Two services claiming one public path and
method is a defect and fails the build.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from pydantic import AnyHttpUrl

from warden_common import __version__
from warden_common.api_docs import is_internal
from warden_common.error_responses import add_error_responses
from warden_common.observability import health_router
from warden_common.upstreams import SERVICE_API_PREFIX
from warden_gateway.api.body_schemas import crd_components
from warden_gateway.api.links import add_links
from warden_gateway.api.routes.forwarded import PUBLIC_API_PREFIX
from warden_gateway.api.security import add_security
from warden_gateway.composition import DATA_PLANE_PREFIX, GATEWAY

OPENAPI_URL = f"{PUBLIC_API_PREFIX}/openapi.json"
Mode = Literal["standalone", "distributed"]

_HEALTH_PATHS = frozenset(route.path for route in health_router().routes if isinstance(route, APIRoute))

_DESCRIPTION = """\
Warden's whole public API in one document: the control plane (`/seldon-deploy/api/v1alpha1/...`: namespaces,
SeldonDeployments, InferenceServices, rollouts, the model catalog, request-log search), the data plane
(`/seldon/{namespace}/{name}/...`: Seldon, V2 and Tensorflow protocols) and the CloudEvents ingestion endpoint
of the request logger. Every error is `{"code", "reason", "message", "details"?}`, except the OAuth2 token
endpoint's, which follow RFC 6749 (`{"error", "error_description"}`, Warden's fields repeated).

With `auth.enabled`, every operation marked with a security requirement needs `Authorization: Bearer <JWT>`:
get one from `POST /oauth2/token` (Swagger UI: "Authorize", client id `warden`).
"""


@dataclass(frozen=True)
class Placement:
    """Where the public reaches one service path: the document's path key and, if not the gateway's origin, servers."""

    path: str
    servers: list[dict[str, Any]] | None = None


def place(service: str, path: str, *, mode: Mode, service_url: str | None = None) -> Placement:
    """The public placement of `service`'s route at `path` (see the module docstring)."""
    if service == GATEWAY or path.startswith(DATA_PLANE_PREFIX + "/"):
        return Placement(path)
    if path.startswith(SERVICE_API_PREFIX + "/"):
        return Placement(PUBLIC_API_PREFIX + path.removeprefix(SERVICE_API_PREFIX))
    if mode == "standalone":
        return Placement(f"/{service}{path}")
    variable = service.replace("-", "_") + "_url"
    default = service_url or f"http://{service}:8080"
    server = {
        "url": f"{{{variable}}}",
        "description": f"the {service} service's own address (distributed mode: the gateway does not forward this)",
        "variables": {variable: {"default": default.rstrip("/")}},
    }
    return Placement(path, [server])


def public_route_contexts(app: FastAPI) -> list[RouteContext]:
    """The routes of `app` that belong in the public document: documented, not health/metrics, not internal."""
    return [
        context
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
        and context.include_in_schema
        and context.path not in _HEALTH_PATHS
        and not is_internal(context.openapi_extra)
    ]


def _merge_components(into: dict[str, Any], extra: Mapping[str, Any], service: str) -> None:
    for section, entries in extra.items():
        target = into.setdefault(section, {})
        for name, value in entries.items():
            if name in target and target[name] != value:
                raise ValueError(
                    f"{service} defines OpenAPI component {section}/{name} differently from another service"
                )
            target[name] = value


def build_public_openapi(
    gateway: FastAPI,
    services: Mapping[str, FastAPI],
    *,
    mode: Mode,
    service_urls: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The public document of `gateway` plus `services` (by name, the gateway excluded) in `mode`."""
    urls = service_urls or {}
    paths: dict[str, dict[str, Any]] = {}
    components: dict[str, Any] = {}
    owners: dict[tuple[str, str], str] = {}
    for service, app in [(GATEWAY, gateway), *sorted(services.items())]:
        own = get_openapi(title=app.title, version=app.version, routes=public_route_contexts(app))
        for path, item in own.get("paths", {}).items():
            placement = place(service, path, mode=mode, service_url=urls.get(service))
            public = paths.setdefault(placement.path, {})
            for method, operation in item.items():
                if (placement.path, method) in owners:
                    raise ValueError(
                        f"{method.upper()} {placement.path} is public twice: "
                        f"from {owners[placement.path, method]} and from {service}"
                    )
                owners[placement.path, method] = service
                public[method] = {**operation, "x-warden-service": service}
            if placement.servers is not None:
                public["servers"] = placement.servers
        _merge_components(components, own.get("components", {}), service)
    _merge_components(components, {"schemas": crd_components()}, GATEWAY)  # the deployment bodies' $refs
    document = get_openapi(title="Warden API", version=__version__, description=_DESCRIPTION, routes=[])
    document["paths"] = dict(sorted(paths.items()))
    # Tags in the order services were placed (the gateway's control plane first), so Swagger UI groups read in order.
    tags = [
        tag for item in paths.values() for op in item.values() if isinstance(op, dict) for tag in op.get("tags", [])
    ]
    document["tags"] = [{"name": tag} for tag in dict.fromkeys(tags)]
    if components:
        document["components"] = components
    add_error_responses(document)  # every operation: the common error body for any 4xx
    add_links(document)  # producers: the links to what their answer feeds
    # Standalone mounts the other services beside the gateway (their own APIs then need an administrator).
    return add_security(document, frozenset(services) if mode == "standalone" else frozenset())


def public_openapi_factory(
    gateway: FastAPI,
    services: Callable[[], Mapping[str, FastAPI]],
    *,
    mode: Mode,
    service_urls: Mapping[str, AnyHttpUrl],
) -> Callable[[], dict[str, Any]]:
    """A replacement for `gateway.openapi`: builds the public document on first use, then serves it from memory.

    `services` is called then (not at startup): in standalone the co-hosted apps are registered only after the
    gateway app is built.
    """
    urls = {key.replace("_", "-"): str(url) for key, url in service_urls.items()}
    built: dict[str, Any] = {}

    def openapi() -> dict[str, Any]:
        if not built:
            built.update(build_public_openapi(gateway, services(), mode=mode, service_urls=urls))
        return built

    return openapi
