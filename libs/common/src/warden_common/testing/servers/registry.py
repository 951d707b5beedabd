"""Name -> server class; imports each server module only when asked for (OpenSearch/pgserver are not free)."""

from __future__ import annotations

import importlib
import os

from warden_common.testing.servers.base import ManagedServer
from warden_common.testing.servers.errors import InfraError

# `all` starts these in this order: Kafka first because most suites need it, the slowest JVM last.
SERVER_NAMES = ("kafka", "postgres", "prometheus", "s3", "opensearch")

_CLASSES = {
    "kafka": ("warden_common.testing.servers.kafka", "KafkaServer"),
    "postgres-debian": ("warden_common.testing.servers.postgres", "DebianPostgresServer"),
    "postgres-embedded": ("warden_common.testing.servers.postgres_embedded", "EmbeddedPostgresServer"),
    "prometheus": ("warden_common.testing.servers.prometheus", "PrometheusServer"),
    "s3": ("warden_common.testing.servers.s3", "MotoS3Server"),
    "opensearch": ("warden_common.testing.servers.opensearch", "OpenSearchServer"),
}


def get_server(name: str) -> ManagedServer:
    """Build the server called `name`; `postgres` means the mode chosen by $WARDEN_INFRA_POSTGRES_MODE."""
    if name == "postgres":
        mode = os.environ.get("WARDEN_INFRA_POSTGRES_MODE", "debian")
        if mode not in ("debian", "embedded"):
            raise InfraError(f"WARDEN_INFRA_POSTGRES_MODE={mode!r}: expected 'debian' or 'embedded'")
        name = f"postgres-{mode}"
    try:
        module_name, class_name = _CLASSES[name]
    except KeyError:
        raise InfraError(f"unknown server {name!r}; known: {', '.join(SERVER_NAMES)}") from None
    server: ManagedServer = getattr(importlib.import_module(module_name), class_name)()
    return server
