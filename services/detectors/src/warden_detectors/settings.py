"""Settings of the detectors service (env prefix `WARDEN_DETECTORS_`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from warden_common.logstore.factory import OpenSearchSettings, StoreChoice
from warden_common.objectstore import ObjectStoreSettings
from warden_common.settings import ServiceSettings


class DetectorsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="WARDEN_DETECTORS_", env_nested_delimiter="__", extra="ignore")

    auto_migrate: bool | None = Field(
        None,
        description="Apply pending schema migrations at startup. Default: yes in standalone; in distributed mode "
        "run `warden migrate` once instead (the service then refuses to start on an out-of-date schema).",
    )
    consumer_group: str = Field(
        "detectors", description="Consumer group reading inference events (requests, feedback) for the detectors."
    )
    max_batch: int = Field(
        500,
        ge=1,
        description="Most inference events scored together from one bus partition (a batch is what was fetched, "
        "never waited for): one detector call scores every instance of the batch at once.",
    )
    max_batch_rows: int = Field(
        50_000,
        ge=1,
        description="Most instances one detector scores in one call; a larger batch is scored in several calls "
        "(bounds the memory of one call).",
    )
    config_refresh_s: float = Field(
        5.0,
        gt=0,
        description="How often the runtime re-reads the detector configs from the database, to follow changes made "
        "through another replica (changes made through this process apply at once).",
    )
    tick_interval_s: float = Field(
        1.0, gt=0, description="How often detectors with time windows are asked to close the windows that are due."
    )
    feedback_response_wait_s: float = Field(
        10.0,
        ge=0,
        description="How long after a feedback's time a metrics server keeps looking (with backoff) for the logged "
        "response of a feedback that carries none, before it dead-letters the feedback; the request logger writes "
        "asynchronously, so the response may be logged a few seconds after the feedback. 0: look once.",
    )
    data_dir: Path | None = Field(
        None,
        description="Where fetched detector artifacts and reference data are copied to; default: a temporary "
        "directory (standalone: $WARDEN_HOME/detectors).",
    )
    log_store: StoreChoice = Field(
        "auto",
        description="The request log store metrics servers read a feedback's logged response from when the feedback "
        "carries none (the request logger's store: `auto` = PostgreSQL in standalone, OpenSearch in distributed mode).",
    )
    opensearch: OpenSearchSettings = Field(
        default_factory=OpenSearchSettings,
        description="The OpenSearch log store (the request logger's `url` and `index_prefix`).",
    )
    object_store: ObjectStoreSettings = Field(
        default_factory=ObjectStoreSettings, description="How to reach S3 for s3:// storage and reference URIs."
    )
