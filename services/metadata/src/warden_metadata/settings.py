"""Settings of the metadata service (env prefix `WARDEN_METADATA_`)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from warden_common.settings import ServiceSettings


class MetadataSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="WARDEN_METADATA_", env_nested_delimiter="__", extra="ignore")

    auto_migrate: bool | None = Field(
        None,
        description="Apply pending schema migrations at startup. Default: yes in standalone; in distributed mode "
        "run `warden migrate` once instead (the service then refuses to start on an out-of-date schema).",
    )
    runtime_consumer_group: str = Field(
        "metadata-runtime", description="Consumer group reading deployment events into the runtime table."
    )
