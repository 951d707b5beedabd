"""Settings bases shared by every service.

Each service subclasses `ServiceSettings` with its own env prefix (`WARDEN_LOGGER_...`); nested
blocks use the `__` delimiter (`WARDEN_LOGGER_BUS__KAFKA_BOOTSTRAP=...`). Nothing is read at import.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AnyHttpUrl, BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from warden_common.auth.settings import AuthSettings


class RetryPolicy(BaseModel):
    """How a consumer retries a failing handler before dead-lettering the message."""

    max_attempts: int = Field(5, ge=1, description="Handler attempts per message, the first included.")
    initial_backoff_s: float = Field(0.2, gt=0, description="Wait before the second attempt.")
    max_backoff_s: float = Field(5.0, gt=0, description="Upper bound of the exponential backoff.")
    multiplier: float = Field(2.0, ge=1, description="Backoff growth per attempt.")

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        return float(min(self.max_backoff_s, self.initial_backoff_s * self.multiplier ** (attempt - 1)))


class BusSettings(BaseModel):
    """Which event bus to use and how to reach it."""

    kind: Literal["kafka", "postgres"] = Field(
        "postgres", description="`kafka` in distributed mode; `postgres` is the durable standalone bus."
    )
    kafka_bootstrap: str = Field("127.0.0.1:9092", description="Kafka bootstrap servers, comma separated.")
    kafka_namespace: str = Field(
        "",
        max_length=100,
        pattern=r"^[A-Za-z0-9._-]*$",
        description="Prefix of every Kafka topic and consumer group this installation uses (e.g. `staging.`), so "
        "several installations share one cluster without reading each other's events. Executors must then send "
        "to the prefixed topic names. Empty: no prefix.",
    )
    postgres_dsn: SecretStr | None = Field(
        None, description="DSN of the PostgreSQL database that stores the standalone bus."
    )
    postgres_schema: str = Field("warden_bus", description="Schema holding the standalone bus tables.")
    partitions: int = Field(8, ge=1, description="Partitions of topics the bus creates.")
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    retention_hours: float = Field(
        168.0,
        ge=0,
        description="Standalone bus: records older than this are deleted, dead letters included (7 days, Kafka's "
        "default). 0 keeps records forever. A consumer group whose position was deleted continues at the earliest "
        "record left. (Kafka topics use the broker's own retention settings.)",
    )
    retention_max_records: int = Field(
        0,
        ge=0,
        description="Standalone bus: at most this many newest records are kept per partition, the older ones are "
        "deleted whatever their age (Kafka's `retention.bytes`, counted in records). 0 sets no bound.",
    )


class DatabaseSettings(BaseModel):
    """PostgreSQL a service keeps its own state in."""

    dsn: SecretStr | None = Field(None, description="postgresql://user:pass@host:port/db")
    min_pool: int = Field(1, ge=0)
    max_pool: int = Field(10, ge=1)


class BodyLimits(BaseModel):
    """What a request body may be: checked before it is parsed (`warden_common.bodies`), 413 / 422 beyond."""

    max_bytes: int = Field(
        10 * 1024 * 1024,
        ge=1024,
        description="Largest request body in bytes, on every route (413 beyond). 10 MiB: large enough for image "
        "batches, small enough that one request cannot exhaust a worker.",
    )
    max_depth: int = Field(
        64,
        ge=2,
        le=512,
        description="Deepest nesting of arrays/objects in a JSON or YAML body (422 beyond). Deployment manifests "
        "and tensors need far less; the bound keeps parsers and the code walking a body from deep recursion.",
    )
    max_items: int = Field(
        1_048_576,
        ge=1,
        description="Most elements of one array, or members of one object, in a JSON or YAML body (422 beyond): "
        "a 512x512x4 image tensor sent flat fits.",
    )


class ServiceSettings(BaseSettings):
    """Fields every service has; subclasses set `model_config` with their own env prefix."""

    model_config = SettingsConfigDict(env_prefix="WARDEN_", env_nested_delimiter="__", extra="ignore")

    host: str = Field("127.0.0.1", description="Interface `warden serve` binds to.")
    port: int = Field(8080, ge=0, le=65535, description="Port `warden serve` binds to.")
    log_level: str = Field("INFO", description="Root log level.")
    bus: BusSettings = Field(default_factory=BusSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    upstreams: dict[str, AnyHttpUrl] = Field(
        default_factory=dict,
        description="Base URL of each service this one calls in distributed mode, by service name with `_` for `-` "
        "(e.g. WARDEN_GATEWAY_UPSTREAMS__REQUEST_LOGGER=http://request-logger:8080). In standalone the services "
        "are called in-process and this is not needed.",
    )
    upstream_timeout_s: float = Field(30.0, gt=0, description="Timeout of one call to another service.")
    body_limits: BodyLimits = Field(default_factory=BodyLimits)


class StandaloneSettings(BaseSettings):
    """`warden up`: where state lives and which port the single process listens on."""

    model_config = SettingsConfigDict(env_prefix="WARDEN_", env_nested_delimiter="__", extra="ignore")

    home: Path = Field(Path("~/.warden"), description="State directory ($WARDEN_HOME).")
    host: str = Field("127.0.0.1")
    port: int = Field(8080, ge=0, le=65535)
    log_level: str = Field("INFO")
    bus_retention_hours: float = Field(
        168.0,
        ge=0,
        description="Standalone bus: delete records older than this ($WARDEN_BUS_RETENTION_HOURS; 0 keeps all).",
    )
    bus_retention_max_records: int = Field(
        0, ge=0, description="Standalone bus: keep at most this many newest records per partition (0: no bound)."
    )
    auth: AuthSettings = Field(
        default_factory=AuthSettings,
        description="Authentication and authorization (on by default; $WARDEN_AUTH__ENABLED=false turns it off); "
        "the built-in provider's issuer defaults to http://<host>:<port>.",
    )

    def gateway_auth(self) -> AuthSettings:
        """`auth` with the issuer the built-in provider signs with when none is set: this process's address."""
        if self.auth.issuer is not None or self.auth.provider != "builtin":
            return self.auth
        return self.auth.model_copy(update={"issuer": f"http://{self.host}:{self.port}"})

    def resolved_home(self) -> Path:
        return self.home.expanduser().resolve()
