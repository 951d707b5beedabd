"""`auth` settings block: shared by the gateway (`WARDEN_GATEWAY_AUTH__...`) and `warden up` (`WARDEN_AUTH__...`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr


class AuthSettings(BaseModel):
    """Who may call the API (issue 12; docs/auth.md). On by default: turning it off opens every route to anyone
    who reaches the port."""

    enabled: bool = Field(
        True,
        description="Require `Authorization: Bearer <JWT>` on every route except health, metrics, the OIDC "
        "discovery/JWKS/token endpoints and the Swagger page; 401 without a valid token, 403 without the rights. "
        "`false` runs without authentication: anyone who reaches the port may do everything.",
    )
    provider: Literal["builtin", "oidc"] = Field(
        "builtin",
        description="`builtin`: the gateway's own identity provider (users in PostgreSQL, RS256 keys it signs "
        "with). `oidc`: an external provider (Keycloak, Dex...) found at `issuer`'s discovery document.",
    )
    issuer: str | None = Field(
        None,
        description="The `iss` every token must carry. `oidc`: the provider's issuer URL (its discovery document is "
        "`<issuer>/.well-known/openid-configuration`). `builtin`: the gateway's public base URL (default "
        "`http://<host>:<port>`).",
    )
    audience: str = Field("warden", description="The `aud` every token must carry (the OIDC client id).")
    user_claim: str = Field("preferred_username", description="The claim that names the user.")
    groups_claim: str = Field("groups", description="The claim listing the user's groups.")
    admin_group: str = Field("warden-admins", description="Members may do everything, manage users and policies.")
    mode: Literal["labels", "policies"] = Field(
        "labels",
        description="`labels`: namespace visibility from `seldon.restricted` / `seldon.group.<g>` / "
        "`seldon.user.<u>` labels. `policies`: `role_grants` / `user_grants` stored in PostgreSQL, editable "
        "through `/authorization/policies`, with project-based checks on deployments.",
    )
    token_ttl_s: int = Field(3600, ge=60, le=86400, description="Built-in provider: lifetime of an access token.")
    policy_refresh_s: float = Field(
        2.0, gt=0, le=60, description="How often a gateway checks PostgreSQL for a changed policy document."
    )
    login_max_failures: int = Field(
        5, ge=1, description="Built-in provider: failed logins per user and client IP before further tries get a 429."
    )
    login_window_s: float = Field(60.0, gt=0, description="Window over which failed logins are counted.")
    signing_key_passphrase: SecretStr | None = Field(
        None,
        description="Built-in provider: encrypts the RS256 private keys stored in PostgreSQL. Required in "
        "distributed mode (the same value on every gateway replica); `warden up` generates one under "
        "$WARDEN_HOME/auth (mode 0600).",
    )
    ingest_token: SecretStr | None = Field(
        None,
        description="Standalone: a shared secret that external executors and KServe loggers present to the request "
        "logger's ingestion route (`POST /request-logger/`), which otherwise needs an administrator's token: as "
        "`Authorization: Bearer <secret>` or as the HTTP Basic password under any user name (what Go's net/http "
        "sends for a logger URL `http://warden:<secret>@host:port/request-logger/`). Distributed mode: the "
        "request logger's own `WARDEN_LOGGER_INGEST_TOKEN`.",
    )
    jwks_refresh_min_s: float = Field(
        10.0, ge=0, description="External provider: least time between two JWKS downloads triggered by unknown `kid`s."
    )
