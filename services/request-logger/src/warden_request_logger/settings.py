"""Settings of the request-logger service (env prefix `WARDEN_LOGGER_`)."""

from pydantic_settings import SettingsConfigDict

from warden_common.settings import ServiceSettings


class RequestLoggerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="WARDEN_LOGGER_", env_nested_delimiter="__", extra="ignore")
