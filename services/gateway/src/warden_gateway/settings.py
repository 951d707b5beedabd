"""Settings of the gateway service (env prefix `WARDEN_GATEWAY_`)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from warden_common.auth.settings import AuthSettings
from warden_common.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="WARDEN_GATEWAY_", env_nested_delimiter="__", extra="ignore")

    data_plane_max_body_bytes: int = Field(
        10 * 1024 * 1024,
        ge=1024,
        description="Distributed mode: larger data-plane request bodies (`/seldon/...`) get a 413 at the gateway "
        "instead of being relayed; keep it equal to the serving service's WARDEN_SERVING_MAX_BODY_BYTES.",
    )
    auth: AuthSettings = Field(
        default_factory=AuthSettings, description="Authentication and authorization (WARDEN_GATEWAY_AUTH__...)."
    )
