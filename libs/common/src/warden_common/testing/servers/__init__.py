"""Real servers for integration tests and CI, run natively as plain processes (no Docker on these machines).

CLI: `python -m warden_common.testing.servers <server|all> <install|start|stop|status|wait>` with server one of
kafka, opensearch, postgres, prometheus, s3 (wrapped by `scripts/infra/<name>`).
The pytest plugin `warden_common.testing.plugin` starts servers lazily.

Environment variables (all optional; servers listen on 127.0.0.1 only):

- `WARDEN_INFRA_HOME` — state root (data, logs, pid files), default `<repo root>/.infra`;
  each server uses `<home>/<name>/`.
- `WARDEN_INFRA_CACHE` — downloaded jars and Maven repository, default `~/.cache/warden-infra`.
- `WARDEN_REPO_ROOT` — the checkout holding `scripts/infra` (found automatically in an editable install).
- `WARDEN_INFRA_KAFKA_PORT` (9092), `WARDEN_INFRA_KAFKA_CONTROLLER_PORT` (9093), `WARDEN_INFRA_KAFKA_DATA_DIR`.
- `WARDEN_INFRA_OPENSEARCH_PORT` (9200; transport uses `WARDEN_INFRA_OPENSEARCH_TRANSPORT_PORT`, 9300),
  `WARDEN_INFRA_OPENSEARCH_DATA_DIR`.
- `WARDEN_INFRA_POSTGRES_MODE` — `debian` (default: Debian's server on TCP) or `embedded`
  (the pgserver wheel, Unix socket only).
- `WARDEN_INFRA_POSTGRES_PORT` (55432), `WARDEN_INFRA_POSTGRES_DATA_DIR`, `WARDEN_INFRA_POSTGRES_EMBEDDED_DATA_DIR`.
- `WARDEN_INFRA_PROMETHEUS_PORT` (9090), `WARDEN_INFRA_PROMETHEUS_DATA_DIR`,
  `WARDEN_INFRA_PROMETHEUS_TARGETS` — extra scrape targets, comma-separated `host:port` (read at start).
- `WARDEN_INFRA_S3_PORT` (5555).
"""

from warden_common.testing.servers.base import ManagedServer, ServerStatus
from warden_common.testing.servers.errors import InfraError
from warden_common.testing.servers.kafka import create_topic, delete_topic
from warden_common.testing.servers.registry import SERVER_NAMES, get_server

__all__ = ["SERVER_NAMES", "InfraError", "ManagedServer", "ServerStatus", "create_topic", "delete_topic", "get_server"]
