"""Settings of the metadata service (env prefix `WARDEN_METADATA_`)."""

from pydantic_settings import SettingsConfigDict
from warden_common.settings import ServiceSettings


class MetadataSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="WARDEN_METADATA_", env_nested_delimiter="__", extra="ignore")
