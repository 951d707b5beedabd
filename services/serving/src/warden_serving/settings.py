"""Settings of the serving service (env prefix `WARDEN_SERVING_`)."""

from pydantic_settings import SettingsConfigDict

from warden_common.settings import ServiceSettings


class ServingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="WARDEN_SERVING_", env_nested_delimiter="__", extra="ignore")
