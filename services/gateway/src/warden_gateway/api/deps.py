"""What the control API routes get injected: the services, and who is acting (with their version comment)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Query, Request

from warden_common.service_app import app_state
from warden_gateway.authz.middleware import principal_of
from warden_gateway.deployments.service import Change, DeploymentService
from warden_gateway.loadtests.service import LoadTestService
from warden_gateway.namespaces import NamespaceService
from warden_gateway.usage.service import UsageService

ANONYMOUS = "anonymous"

_NO_DATABASE = "this part of the API needs the gateway's database: set WARDEN_GATEWAY_DATABASE__DSN"


def deployments(request: Request) -> DeploymentService:
    service: DeploymentService = app_state(request, "deployments", "deployments are", unavailable=_NO_DATABASE)
    return service


def namespaces(request: Request) -> NamespaceService:
    service: NamespaceService = app_state(request, "namespaces", "namespaces are", unavailable=_NO_DATABASE)
    return service


def load_tests(request: Request) -> LoadTestService:
    service: LoadTestService = app_state(request, "load_tests", "load tests are", unavailable=_NO_DATABASE)
    return service


def usage(request: Request) -> UsageService:
    service: UsageService = app_state(request, "usage", "usage figures are", unavailable=_NO_DATABASE)
    return service


def change(
    request: Request,
    message: Annotated[str | None, Query(description="Version comment recorded with the change.")] = None,
    action: Annotated[str | None, Query(description="The UI action that made the change (informational).")] = None,
    x_warden_user: Annotated[
        str | None, Header(description="The acting user when auth is off; ignored once a token names the user.")
    ] = None,
) -> Change:
    """Who acts and why. The SDK sends the version comment as `?message=`; rollout bodies may carry `comment`."""
    del action  # accepted because the SDK sends it; the event records the actor and comment
    principal = principal_of(request.scope)
    actor = principal.user if principal is not None else (x_warden_user or "").strip() or ANONYMOUS
    return Change(actor=actor, comment=message or None)
