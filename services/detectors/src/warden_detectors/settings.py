"""Settings of the detectors service (env prefix `WARDEN_DETECTORS_`)."""

from pydantic_settings import SettingsConfigDict

from warden_common.settings import ServiceSettings


class DetectorsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="WARDEN_DETECTORS_", env_nested_delimiter="__", extra="ignore")
