"""Settings of the request-logger service (env prefix `WARDEN_LOGGER_`)."""

from __future__ import annotations

import socket

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from warden_common import topics
from warden_common.logstore.factory import OpenSearchSettings, StoreChoice
from warden_common.settings import ServiceSettings


class RequestLoggerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="WARDEN_LOGGER_", env_nested_delimiter="__", extra="ignore")

    store: StoreChoice = Field(
        "auto", description="Log store: `auto` = PostgreSQL in standalone, OpenSearch in distributed mode."
    )
    opensearch: OpenSearchSettings = Field(default_factory=OpenSearchSettings)
    auto_migrate: bool | None = Field(
        None,
        description="PostgreSQL store: apply pending schema migrations at startup. Default: yes in standalone; in "
        "distributed mode run `warden migrate` once instead (the logger then refuses to start on an out-of-date "
        "schema).",
    )
    ingest_token: SecretStr | None = Field(
        None,
        description="Distributed mode: the secret `POST /` (CloudEvents ingestion) requires, as `Authorization: "
        "Bearer <token>` or as the HTTP Basic password under any user name (Seldon Core's executor and KServe's "
        "agent send a logger URL's userinfo so: `http://warden:<token>@request-logger:8080/`); other callers get "
        "401. Unset: ingestion is open to whoever reaches the port (keep it cluster-internal). Health and metrics "
        "stay open either way.",
    )
    consumer_group: str = Field("request-logger", description="Consumer group on the inference/detection topics.")
    input_topics: list[str] = Field(
        default_factory=lambda: [topics.INFERENCE, topics.DETECTIONS],
        description="Bus topics of executor-format inference events and detector results.",
    )
    seldon_kafka_topic: str | None = Field(
        None,
        description="Also consume this topic in the Seldon executor's Kafka header format (distributed mode, "
        "e.g. `seldon`); unset = off.",
    )
    max_batch: int = Field(
        4000,
        ge=1,
        description="Most events handled (and bulk-written) together from one bus partition; a batch is what was "
        "fetched, never waited for.",
    )
    write_linger_s: float = Field(
        0.02,
        ge=0,
        description="Longest a batch's documents wait for other batches (other bus partitions, HTTP ingests) to "
        "share one log-store write; 0 writes every batch on its own. Adds at most this to the lag.",
    )
    write_max_items: int = Field(
        2000,
        ge=1,
        description="A shared log-store write is sent at once when it holds this many documents (size or linger, "
        "whichever first).",
    )
    max_payload_bytes: int = Field(
        8 * 1024 * 1024,
        gt=0,
        description="Largest raw payload stored; a larger one is recorded as rejected with its size and the reason "
        "(its instances are still parsed and stored).",
    )
    schema_ttl_s: float = Field(300.0, gt=0, description="How long a prediction schema is cached.")
    schema_miss_ttl_s: float = Field(30.0, gt=0, description="How long 'no schema for this deployment' is cached.")
    schema_timeout_s: float = Field(2.0, gt=0, description="Longest wait for the metadata service per lookup.")
    instance_id: str = Field(
        default_factory=socket.gethostname,
        description="Names this process's own consumer group for schema-change events (every replica must see them).",
    )

    @field_validator("ingest_token", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: object) -> object:
        """An empty token (`WARDEN_LOGGER_INGEST_TOKEN=` from compose's `${...:-}`) means none, not "refuse all"."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return value
