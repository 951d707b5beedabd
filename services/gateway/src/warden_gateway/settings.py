"""Settings of the gateway service (env prefix `WARDEN_GATEWAY_`)."""

from pydantic import AnyHttpUrl, Field
from pydantic_settings import SettingsConfigDict
from warden_common.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="WARDEN_GATEWAY_", env_nested_delimiter="__", extra="ignore")

    upstreams: dict[str, AnyHttpUrl] = Field(
        default_factory=dict,
        description="Base URL of each service the gateway forwards to in distributed mode, by service name "
        "with `_` for `-` (e.g. WARDEN_GATEWAY_UPSTREAMS__REQUEST_LOGGER=http://request-logger:8080). "
        "In standalone the services are called in-process and this is not needed.",
    )
    upstream_timeout_s: float = Field(30.0, gt=0, description="Timeout of one forwarded call.")
