"""Settings of the explanations (env prefix `WARDEN_DETECTORS_EXPLAIN_`, nested with `__`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from warden_common.objectstore import ObjectStoreSettings


class ExplainSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WARDEN_DETECTORS_EXPLAIN_", env_nested_delimiter="__", extra="ignore")

    answer_within_s: float = Field(
        5.0, gt=0, description="`POST .../explain` answers with the explanation when it is ready this fast, "
        "otherwise with 202 and the id to poll.",
    )  # fmt: skip
    timeout_s: float = Field(120.0, gt=0, description="An explanation still running after this fails (timeout).")
    model_call_timeout_s: float = Field(30.0, gt=0, description="Longest wait for one model call of an explainer.")
    workers: int = Field(2, ge=1, le=16, description="Worker threads explanations run in.")
    object_store: ObjectStoreSettings = Field(default_factory=ObjectStoreSettings)
