"""Settings of the serving service (env prefix `WARDEN_SERVING_`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from warden_common.objectstore import ObjectStoreSettings
from warden_common.settings import ServiceSettings


class ServingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="WARDEN_SERVING_", env_nested_delimiter="__", extra="ignore")

    mlserver_bin: Path | None = Field(
        None,
        description="The `mlserver` executable; default: <repo>/.infra/mlserver-venv/bin/mlserver "
        "(built by scripts/infra/mlserver), else `mlserver` on PATH.",
    )
    data_dir: Path | None = Field(
        None,
        description="Where model copies, process dirs, desired state and spilled events live; "
        "default $WARDEN_HOME/serving (standalone home, else ~/.warden/serving).",
    )
    process_start_timeout_s: float = Field(120.0, gt=0, description="How long a new MLServer may take to be ready.")
    max_start_attempts: int = Field(3, ge=1, description="Failed starts (before ever ready) before a model is Failed.")
    restart_initial_backoff_s: float = Field(0.5, gt=0)
    restart_max_backoff_s: float = Field(15.0, gt=0)
    log_tail_lines: int = Field(
        1000, ge=10, description="Lines of each process's output kept for `/resources` and `/resources/logs`."
    )
    request_timeout_s: float = Field(30.0, gt=0, description="Timeout of one call to an MLServer process.")
    max_connections: int = Field(200, ge=1, description="Idle keep-alive connections kept per MLServer process.")
    event_delivery: Literal["sync", "async"] = Field(
        "sync",
        description="`sync`: request/response events are durable on the bus before the HTTP response returns. "
        "`async`: they go to a bounded in-memory buffer that spills to disk when full and drains in the background "
        "(never dropped; flushed on shutdown).",
    )
    async_buffer_events: int = Field(10_000, ge=1, description="In-memory events before spilling to disk (async).")
    event_source: str | None = Field(None, description="Ce-Source of inference events; default http://<host>:<port>/.")
    object_store: ObjectStoreSettings = Field(default_factory=ObjectStoreSettings)
    request_metrics_store: Literal["auto", "postgres", "none"] = Field(
        "auto",
        description="Where request metrics go besides /metrics: `postgres` = 10-second rollups in the database "
        "(the gateway's request monitoring reads them when no Prometheus is configured); `auto` = `postgres` in "
        "standalone mode, `none` in distributed mode (Prometheus scrapes /metrics).",
    )
    request_metrics_flush_s: float = Field(
        10.0, ge=0.1, le=60, description="How often the closed 10-second windows are written to the database."
    )
    request_metrics_retention_hours: float = Field(
        168.0, ge=0, description="How long the rollups are kept (0 keeps them forever)."
    )

    def resolved_data_dir(self, home: Path | None) -> Path:
        if self.data_dir is not None:
            return self.data_dir.expanduser().resolve()
        base = home or Path(os.environ.get("WARDEN_HOME", "~/.warden"))
        return (base.expanduser() / "serving").resolve()

    def resolved_mlserver_bin(self) -> str:
        if self.mlserver_bin is not None:
            return str(self.mlserver_bin)
        for start in (Path(__file__).resolve(), Path.cwd().resolve()):
            for candidate in (start, *start.parents):
                venv_bin = candidate / ".infra" / "mlserver-venv" / "bin" / "mlserver"
                if venv_bin.exists():
                    return str(venv_bin)
        return "mlserver"
