"""Settings of usage monitoring (a block of `GatewaySettings`)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class UsageSettings(BaseModel):
    enabled: bool = Field(True, description="Sample the serving processes' CPU and memory periodically.")
    interval_s: float = Field(15.0, gt=0, description="Seconds between usage samples.")
    retention_hours: float = Field(168.0, gt=0, description="Samples older than this are deleted.")
