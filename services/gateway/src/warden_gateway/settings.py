"""Settings of the gateway service (env prefix `WARDEN_GATEWAY_`)."""

from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import SettingsConfigDict

from warden_common.auth.settings import AuthSettings
from warden_common.errors import WardenError
from warden_common.settings import ServiceSettings
from warden_gateway.loadtests.settings import LoadTestSettings
from warden_gateway.uiconfig import UiSettings
from warden_gateway.usage.settings import UsageSettings


class AuthNotConfigured(WardenError):
    """A distributed gateway with auth on lacks what it needs: refused at start rather than run open or broken."""

    code = "auth_not_configured"


class MonitoringSettings(BaseModel):
    """Where request monitoring (`{deployment}/monitor/requests`) reads its numbers (WARDEN_GATEWAY_MONITORING__...)."""

    prometheus_url: str | None = Field(
        None, description="Prometheus that scrapes the serving service's /metrics (distributed mode)."
    )
    source: Literal["auto", "prometheus", "postgres"] = Field(
        "auto",
        description="`prometheus` (needs `prometheus_url`), `postgres` (the rollups the serving service writes to "
        "the database), or `auto`: Prometheus when `prometheus_url` is set, else the database.",
    )


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="WARDEN_GATEWAY_", env_nested_delimiter="__", extra="ignore")

    auth: AuthSettings = Field(
        default_factory=AuthSettings, description="Authentication and authorization (WARDEN_GATEWAY_AUTH__...)."
    )
    monitoring: MonitoringSettings = Field(default_factory=MonitoringSettings)

    load_tests: LoadTestSettings = Field(
        default_factory=LoadTestSettings, description="Load tests (WARDEN_GATEWAY_LOAD_TESTS__...)."
    )
    ui: UiSettings = Field(default_factory=UiSettings, description="Web UI sign-in and theme (WARDEN_GATEWAY_UI__...).")
    usage: UsageSettings = Field(
        default_factory=UsageSettings, description="Usage monitoring samples (WARDEN_GATEWAY_USAGE__...)."
    )

    def check_distributed_auth(self) -> None:
        """`AuthNotConfigured` naming every missing variable when auth is on. Standalone (`warden up`) fills these
        in itself; a distributed gateway cannot guess them: its bind address is not the URL clients use, and
        every replica must encrypt its signing keys with the same passphrase."""
        if not self.auth.enabled:
            return
        prefix = self.model_config.get("env_prefix", "WARDEN_GATEWAY_")
        missing = []
        if self.auth.issuer is None:
            builtin = self.auth.provider == "builtin"
            what = "the public base URL clients reach the gateway at" if builtin else "the provider's issuer URL"
            missing.append(f"{prefix}AUTH__ISSUER ({what})")
        if self.auth.provider == "builtin" and self.auth.signing_key_passphrase is None:
            missing.append(f"{prefix}AUTH__SIGNING_KEY_PASSPHRASE (a secret, the same on every gateway replica)")
        if self.database.dsn is None:
            missing.append(f"{prefix}DATABASE__DSN (users, signing keys and policies live there)")
        if missing:
            raise AuthNotConfigured(
                f"authentication is on ({prefix}AUTH__ENABLED, default true) but these are not set: "
                f"{'; '.join(missing)}. Set them, or {prefix}AUTH__ENABLED=false to run without authentication "
                "(anyone who reaches the port may then do everything)."
            )
