"""Settings of the batch service (env prefix `WARDEN_BATCH_`)."""

from pydantic_settings import SettingsConfigDict

from warden_common.settings import ServiceSettings


class BatchSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="WARDEN_BATCH_", env_nested_delimiter="__", extra="ignore")
