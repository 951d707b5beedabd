"""Settings of the gateway service (env prefix `WARDEN_GATEWAY_`)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from warden_common.auth.settings import AuthSettings
from warden_common.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="WARDEN_GATEWAY_", env_nested_delimiter="__", extra="ignore")

    auth: AuthSettings = Field(
        default_factory=AuthSettings, description="Authentication and authorization (WARDEN_GATEWAY_AUTH__...)."
    )
