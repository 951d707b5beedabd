"""How the public OpenAPI document says who may call what: the security schemes (so Swagger UI's "Authorize" gets
a token and sends it), a `security` requirement on every operation the auth middleware guards, and its answers.

Which operations are guarded is decided by the middleware's own rule (`authz.rules.requirement`), read from the
public path, so the document cannot drift from enforcement. Operations served on another origin (`servers`:
distributed mode's request-logger ingestion) are not behind the gateway, so they carry no requirement.
"""

from __future__ import annotations

from typing import Any

from warden_common.error_responses import ERROR_SCHEMA_NAME
from warden_gateway.authz.rules import requirement
from warden_gateway.identity.issuer import DISCOVERY_PATH, PUBLIC_CLIENT_ID, TOKEN_PATH

OAUTH2 = "oauth2"
BEARER = "bearer"
SECURITY_SCHEMES: dict[str, Any] = {
    OAUTH2: {
        "type": "oauth2",
        "description": f"Sign in with the password grant (client id `{PUBLIC_CLIENT_ID}`, no secret); the token is "
        f"then sent as `Authorization: Bearer`. Discovery: `{DISCOVERY_PATH}`. Only when `auth.enabled`.",
        "flows": {"password": {"tokenUrl": TOKEN_PATH, "scopes": {}}},
    },
    BEARER: {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": f"A token from `POST {TOKEN_PATH}` (or the configured external OpenID provider); standalone's "
        "request-logger ingestion also takes `auth.ingest_token`, here or as the HTTP Basic password. Only when "
        "`auth.enabled`.",
    },
}
_REQUIREMENT: list[dict[str, list[str]]] = [{OAUTH2: []}, {BEARER: []}]  # either one


def _error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}}},
    }
    if headers:
        response["headers"] = headers
    return response


UNAUTHORIZED = _error(
    "No bearer token, or an invalid one (expired, wrong issuer or audience, unknown key): `reason` says which "
    "(only when `auth.enabled`)",
    {
        "WWW-Authenticate": {
            "description": '`Bearer realm="warden"`, with `error="invalid_token"` and its description if one was sent',
            "required": True,
            "schema": {"type": "string"},
        }
    },
)
FORBIDDEN = _error("Signed in, but not allowed: the message names the user and the missing right")


def add_security(document: dict[str, Any], mounted_services: frozenset[str]) -> dict[str, Any]:
    """Declare the schemes and mark each guarded operation of `document` (in place; returned for chaining).

    `mounted_services`: the services standalone mounts beside the gateway (empty in distributed mode), as the
    middleware is given them.
    """
    document.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
    for path, item in document.get("paths", {}).items():
        if "servers" in item:
            continue
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            if requirement(method.upper(), path, mounted_services).kind == "exempt":
                continue
            operation["security"] = _REQUIREMENT
            operation["responses"].setdefault("401", UNAUTHORIZED)
            operation["responses"].setdefault("403", FORBIDDEN)
    return document
