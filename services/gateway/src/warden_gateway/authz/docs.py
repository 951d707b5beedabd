"""The administration API's bodies and answers, as the public OpenAPI document shows them (documentation and the
routes' response models; the routes validate their bodies themselves, to answer Warden's own 422)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from warden_common.auth.policy import PolicyDocument
from warden_gateway.identity.users import MIN_PASSWORD_LENGTH

POLICY_EXAMPLE: dict[str, Any] = {
    "role_grants": {"data-scientist": [{"resource": "project/iris", "action": "read"}]},
    "user_grants": {"*": [{"resource": "namespace/seldon", "action": "write"}]},
}
NEW_USER_EXAMPLE: dict[str, Any] = {
    "name": "bob",
    "password": "correct horse battery staple",
    "groups": ["data-scientist"],
}
USERS_EXAMPLE: list[dict[str, Any]] = [
    {"name": "admin", "groups": ["warden-admins"], "client": False},
    {"name": "ci-bot", "groups": ["deployers"], "client": True},
]
_NAME = r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$"  # warden_common.names.account_name_problem


class UserAccount(BaseModel):
    """A user, or a service client (`client: true`) that signs in with the client-credentials grant."""

    model_config = ConfigDict(
        json_schema_extra={"example": {"name": "bob", "groups": ["data-scientist"], "client": False}}
    )

    name: str
    groups: list[str]
    client: bool


class NewUser(BaseModel):
    """What `POST /users` takes (the password is stored as an argon2id hash, never shown again)."""

    model_config = ConfigDict(json_schema_extra={"example": NEW_USER_EXAMPLE})

    name: str = Field(pattern=_NAME, description="Letters, digits, '.', '_', '@', '-'.")
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, description="The password, or a service client's secret.")
    groups: list[Annotated[str, Field(pattern=_NAME)]] = Field(
        default_factory=list, description="Group names (same characters as `name`)."
    )
    client: bool = Field(default=False, description="A service client (client-credentials grant) instead of a user.")


class PolicyMetadata(BaseModel):
    version: int = Field(description="Pass it back as `?version=` to make a change conditional on it.")
    updatedAt: str = Field(description="ISO 8601.")
    updatedBy: str | None = Field(description="Who changed it last (`null`: the migration's initial policy).")


class StoredPolicy(PolicyDocument):
    """The policy in force and its version (send it back as is to `PUT`: `metadata` is ignored there)."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                **POLICY_EXAMPLE,
                "metadata": {"version": 3, "updatedAt": "2026-12-04T10:00:00+00:00", "updatedBy": "admin"},
            }
        }
    )

    metadata: PolicyMetadata


class PolicyReplaced(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"example": {"code": 200, "message": "policy version 4 in force", "version": 4}}
    )

    code: int
    message: str
    version: int


class UserDeleted(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {"code": 200, "message": "user bob deleted"}})

    code: int
    message: str


class KeyRotated(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {"code": 200, "message": "signing with key 2026-12-04T10-00-00-1a2b from now on", "kid": "…"}
        }
    )

    code: int
    message: str
    kid: str = Field(description="The new key's id (the `kid` header of tokens from now on).")
