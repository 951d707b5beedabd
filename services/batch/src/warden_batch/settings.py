"""Settings of the batch service (env prefix `WARDEN_BATCH_`)."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from warden_common.objectstore import ObjectStoreSettings
from warden_common.settings import ServiceSettings


class BatchSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="WARDEN_BATCH_", env_nested_delimiter="__", extra="ignore")

    auto_migrate: bool | None = Field(
        None,
        description="Apply pending schema migrations at startup. Default: yes in standalone; in distributed mode "
        "run `warden migrate` once instead (the service then refuses to start on an out-of-date schema).",
    )
    data_dir: Path | None = Field(
        None,
        description="Where inputs fetched from S3 and outputs being assembled are kept while a job runs. Default: "
        "$WARDEN_HOME/batch in standalone, else a temporary directory.",
    )
    local_dirs: list[Path] | None = Field(
        None,
        description="Directories local input and output paths (and file:// URIs) must be under, e.g. "
        '["/data/batch"]; a job naming another local path is refused (422); [] allows S3 only. Default (every '
        "mode: standalone, compose, Helm): unset, any path this process can read or write (standalone: its single "
        "user's files); set it wherever job creators are not trusted with those.",
    )
    object_store: ObjectStoreSettings = Field(
        default_factory=ObjectStoreSettings, description="How to reach S3 for s3:// input and output locations."
    )
    max_running_jobs: int = Field(2, ge=1, description="Jobs this process runs at the same time.")
    max_workers: int = Field(64, ge=1, description="Upper bound of a job's `batchWorkers` (concurrent requests).")
    chunk_lines: int = Field(
        200,
        ge=1,
        description="Input lines per checkpoint: each chunk's output is stored in PostgreSQL once complete, so a "
        "restarted service resumes at the first chunk not stored (rounded up to a multiple of `batchSize`).",
    )
    chunk_max_bytes: int = Field(
        196_608,
        ge=1024,
        description="Upper bound of a chunk's input bytes (UTF-8): a chunk is one work item on the bus (one Kafka "
        "record, 1 MB at most by default, escaping included), so a chunk of long lines is cut short (a single longer "
        "line is a chunk of its own).",
    )
    work_ahead_chunks: int = Field(
        16,
        ge=1,
        description="Chunks of a job published to the batch workers and not yet stored, at most: bounds what a "
        "job keeps on the bus and how much a cancel leaves to drop.",
    )
    redeliver_after_s: float = Field(
        300.0,
        gt=0,
        description="A running job none of whose chunks got stored for this long has its missing chunks published "
        "again (a work item was lost: dead-lettered after its retries while the database was away). A redelivered "
        "chunk that is stored meanwhile is not written twice.",
    )
    lease_s: float = Field(
        30.0,
        gt=0,
        description="How long a job stays claimed by the process running it without a renewal; after that (the "
        "process died) any batch process takes it over and resumes it.",
    )
    max_runs: int = Field(
        5,
        ge=1,
        description="Times a job is started or resumed at most: a job whose runner keeps dying (the process killed "
        "or out of memory while running it) then ends `Failed` instead of being resumed forever.",
    )
    poll_interval_s: float = Field(1.0, gt=0, description="How often the service looks for jobs to run or resume.")
    call_timeout_s: float = Field(60.0, gt=0, description="Timeout of one data-plane request of a job.")
