"""Settings of the gitops-sync service (env prefix `WARDEN_GITOPS_`)."""

from pydantic_settings import SettingsConfigDict

from warden_common.settings import ServiceSettings


class GitopsSyncSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="WARDEN_GITOPS_", env_nested_delimiter="__", extra="ignore")
