"""Settings of load tests (a block of `GatewaySettings`)."""

from __future__ import annotations

from pydantic import BaseModel, Field

_TARGET_URL = (
    "Base URL the load generator sends to (it adds `/seldon/{ns}/{name}/...`); default: the address the gateway "
    "was called on, which serves the data plane in both modes."
)


class LoadTestSettings(BaseModel):
    target_url: str | None = Field(None, description=_TARGET_URL)
    max_connections: int = Field(256, ge=1, description="Upper bound of `connectionsNumber`.")
    max_requests: int = Field(10_000_000, ge=1, description="Upper bound of `requestsNumber`.")
    max_duration_s: float = Field(3600.0, gt=0, description="Upper bound of `duration` (seconds).")
    default_duration_s: float = Field(10.0, gt=0, description="Duration when neither duration nor requests is given.")
    request_timeout_s: float = Field(30.0, gt=0, description="Timeout of one load-test request.")
    heartbeat_s: float = Field(2.0, gt=0, description="How often a running job records its progress.")
    stale_after_s: float = Field(
        30.0, gt=0, description="A running job whose heartbeat is older than this lost its gateway: it is failed."
    )
