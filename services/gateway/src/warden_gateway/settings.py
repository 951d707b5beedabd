"""Settings of the gateway service (env prefix `WARDEN_GATEWAY_`)."""

from pydantic_settings import SettingsConfigDict

from warden_common.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="WARDEN_GATEWAY_", env_nested_delimiter="__", extra="ignore")
