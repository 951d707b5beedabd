"""Administration of who may do what: the policy document, the built-in provider's users and service clients,
signing key rotation. Every route here needs the admin group (see `rules`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status

from warden_common.errors import Unprocessable
from warden_common.names import AccountName
from warden_gateway.authz.middleware import principal_of
from warden_gateway.authz.policies import PolicyStore
from warden_gateway.authz.rules import API
from warden_gateway.authz.runtime import AuthRuntime
from warden_gateway.deployments.bodies import read_body

_POLICY_EXAMPLE = {
    "role_grants": {"data-scientist": [{"resource": "project/iris", "action": "read"}]},
    "user_grants": {"*": [{"resource": "namespace/seldon", "action": "write"}]},
}


def _actor(request: Request) -> str:
    principal = principal_of(request.scope)
    return principal.user if principal is not None else "anonymous"


def authorization_router(runtime: AuthRuntime) -> APIRouter:
    router = APIRouter(prefix=API, tags=["authorization"])

    def policies() -> PolicyStore:
        return runtime.authorizer.policy_store()

    @router.get("/authorization/policies", summary="Read the authorization policy (policy mode)")
    async def read_policy() -> dict[str, Any]:
        document, _, meta = await policies().read()
        return {**document.model_dump(mode="json"), "metadata": meta}

    @router.put(
        "/authorization/policies",
        summary="Replace the authorization policy",
        description="Takes effect on this replica at once and on the others within `auth.policy_refresh_s`. "
        "`?version=` makes the change conditional on the version read (else 409).",
        openapi_extra={
            "requestBody": {"required": True, "content": {"application/json": {"example": _POLICY_EXAMPLE}}}
        },
    )
    async def replace_policy(
        request: Request,
        # Bounded like the stored version (a PostgreSQL bigint): a larger one is a 422, not a database error.
        version: Annotated[int | None, Query(ge=0, le=2**63 - 1, description="The version you read.")] = None,
    ) -> dict[str, Any]:
        body = await read_body(request)
        if isinstance(body, dict):
            body = {k: v for k, v in body.items() if k != "metadata"}  # what GET returned is accepted back
        new_version = await policies().replace(body, actor=_actor(request), expected_version=version)
        await runtime.authorizer.refresh()
        return {"code": 200, "message": f"policy version {new_version} in force", "version": new_version}

    @router.get("/users", summary="List the built-in provider's users and service clients")
    async def list_users() -> list[dict[str, Any]]:
        users, _, _ = runtime.identity()
        return [account.to_api() for account in await users.list()]

    @router.post(
        "/users",
        status_code=status.HTTP_201_CREATED,
        summary="Create a user (or, with `client: true`, a service client for the client-credentials grant)",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"example": {"name": "bob", "password": "…", "groups": ["data-scientist"]}}
                },
            }
        },
    )
    async def create_user(request: Request) -> dict[str, Any]:
        users, _, _ = runtime.identity()
        body = await read_body(request)
        client = isinstance(body, dict) and body.get("client", False)
        if not isinstance(client, bool):
            raise Unprocessable("client: must be true or false")
        account = await users.create(body, created_by=_actor(request), is_client=client)
        return account.to_api()

    @router.delete("/users/{name}", summary="Delete a user or service client (its tokens expire on their own)")
    async def delete_user(name: AccountName) -> dict[str, Any]:
        users, _, _ = runtime.identity()
        await users.delete(name)
        return {"code": 200, "message": f"user {name} deleted"}

    @router.post(
        "/authorization/keys/rotate",
        summary="Start signing with a new key; the old one verifies until its tokens have expired",
    )
    async def rotate_key() -> dict[str, Any]:
        kid = await runtime.rotate_signing_key()
        return {"code": 200, "message": f"signing with key {kid} from now on", "kid": kid}

    return router
