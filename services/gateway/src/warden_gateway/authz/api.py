"""Administration of who may do what: the policy document, the built-in provider's users and service clients,
signing key rotation. Every route here needs the admin group (see `rules`).

With auth off every route here answers 409: nobody is authenticated then, so "administrators only" would mean
anyone, and users, keys or a policy made by anyone would be trusted the moment auth is switched on."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, status

from warden_common.api_docs import ErrorBody, Responses, error_responses, json_body
from warden_common.auth.policy import PolicyDocument
from warden_common.errors import Conflict, Unprocessable
from warden_common.names import AccountName
from warden_gateway.authz.docs import (
    NEW_USER_EXAMPLE,
    POLICY_EXAMPLE,
    USERS_EXAMPLE,
    KeyRotated,
    NewUser,
    PolicyReplaced,
    StoredPolicy,
    UserAccount,
    UserDeleted,
)
from warden_gateway.authz.middleware import principal_of
from warden_gateway.authz.policies import PolicyStore
from warden_gateway.authz.rules import API
from warden_gateway.authz.runtime import AuthRuntime
from warden_gateway.deployments.bodies import read_body

_MAX_VERSION = 2**63 - 1  # the column is a bigint
# The policy body's schema, its `Grant` taken from the components (the answer's model puts it there).
_POLICY_SCHEMA = {
    key: value
    for key, value in PolicyDocument.model_json_schema(ref_template="#/components/schemas/{model}").items()
    if key != "$defs"
}
_OFF = "Authentication is off (`reason: auth_disabled`): these routes work only with auth on"


def _admin_errors(conflict: str = "") -> Responses:
    """503 and the auth-off 409 (`conflict`: the operation's own 409 besides it); 401/403 come from the document's
    security (api.security)."""
    return {
        **error_responses(503),
        409: {"model": ErrorBody, "description": _OFF + (f"; or {conflict}" if conflict else "")},
    }


_ADMIN_ERRORS = _admin_errors()
AUTH_DISABLED = (
    "authentication is off (auth.enabled=false), so nobody can be told apart from an administrator: users, "
    "policies and signing keys cannot be read or changed; switch it on (WARDEN_AUTH__ENABLED=true with `warden up`, "
    "WARDEN_GATEWAY_AUTH__ENABLED=true for `warden serve gateway`) and sign in as an administrator"
)


def _actor(request: Request) -> str:
    principal = principal_of(request.scope)
    return principal.user if principal is not None else "anonymous"


def authorization_router(runtime: AuthRuntime) -> APIRouter:
    def auth_enabled() -> None:
        if not runtime.settings.enabled:
            raise Conflict(AUTH_DISABLED, code="auth_disabled")

    router = APIRouter(prefix=API, tags=["authorization"], dependencies=[Depends(auth_enabled)])

    def policies() -> PolicyStore:
        return runtime.authorizer.policy_store()

    @router.get(
        "/authorization/policies",
        summary="Read the authorization policy (policy mode)",
        response_model=StoredPolicy,
        responses=_ADMIN_ERRORS,
    )
    async def read_policy() -> dict[str, Any]:
        document, _, meta = await policies().read()
        return {**document.model_dump(mode="json"), "metadata": meta}

    @router.put(
        "/authorization/policies",
        summary="Replace the authorization policy",
        description="Takes effect on this replica at once and on the others within `auth.policy_refresh_s`. "
        "`?version=` makes the change conditional on the version read (else 409).",
        response_model=PolicyReplaced,
        responses=_admin_errors("`?version=` is not the stored version any more"),
        openapi_extra=json_body(_POLICY_SCHEMA, POLICY_EXAMPLE),
    )
    async def replace_policy(
        request: Request,
        version: Annotated[int | None, Query(ge=1, le=_MAX_VERSION, description="The version you read.")] = None,
    ) -> dict[str, Any]:
        body = await read_body(request)
        if isinstance(body, dict):
            body = {k: v for k, v in body.items() if k != "metadata"}  # what GET returned is accepted back
        new_version = await policies().replace(body, actor=_actor(request), expected_version=version)
        await runtime.authorizer.refresh()
        return {"code": 200, "message": f"policy version {new_version} in force", "version": new_version}

    @router.get(
        "/users",
        summary="List the built-in provider's users and service clients",
        response_model=list[UserAccount],
        responses={200: {"content": {"application/json": {"example": USERS_EXAMPLE}}}, **_ADMIN_ERRORS},
    )
    async def list_users() -> list[dict[str, Any]]:
        users, _, _ = runtime.identity()
        return [account.to_api() for account in await users.list()]

    @router.post(
        "/users",
        status_code=status.HTTP_201_CREATED,
        summary="Create a user (or, with `client: true`, a service client for the client-credentials grant)",
        response_model=UserAccount,
        responses=_admin_errors("a user or client of that name exists"),
        openapi_extra=json_body(NewUser.model_json_schema(), NEW_USER_EXAMPLE),
    )
    async def create_user(request: Request) -> dict[str, Any]:
        users, _, _ = runtime.identity()
        body = await read_body(request)
        client = isinstance(body, dict) and body.get("client", False)
        if not isinstance(client, bool):
            raise Unprocessable("client: must be true or false")
        account = await users.create(body, created_by=_actor(request), is_client=client)
        return account.to_api()

    @router.delete(
        "/users/{name}",
        summary="Delete a user or service client (its tokens expire on their own)",
        response_model=UserDeleted,
        responses={**_ADMIN_ERRORS, **error_responses(404)},
    )
    async def delete_user(name: AccountName) -> dict[str, Any]:
        users, _, _ = runtime.identity()
        await users.delete(name)
        return {"code": 200, "message": f"user {name} deleted"}

    @router.post(
        "/authorization/keys/rotate",
        summary="Start signing with a new key; the old one verifies until its tokens have expired",
        response_model=KeyRotated,
        responses=_ADMIN_ERRORS,
    )
    async def rotate_key() -> dict[str, Any]:
        kid = await runtime.rotate_signing_key()
        return {"code": 200, "message": f"signing with key {kid} from now on", "kid": kid}

    return router
