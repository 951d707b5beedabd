"""OpenSearch 2.19, one node, run in-process by codelibs' OpenSearchRunner with jars from Maven Central.

Plain HTTP, no security plugin, loopback only. The runner places node 1 on `-baseHttpPort + 1`, so we pass
the configured port minus one; our launcher (`scripts/infra/maven/opensearch/WardenOpenSearchRunner.java`)
turns off the runner's hunt for a free port so a taken port fails instead of silently moving.
"""

from __future__ import annotations

import logging

from warden_common.testing.servers.base import HttpServer, LaunchSpec
from warden_common.testing.servers.config import LOOPBACK, env_path, env_port, repo_root
from warden_common.testing.servers.tools import http_json, java_executable, maven_libs

logger = logging.getLogger(__name__)

CLUSTER_NAME = "warden"


class OpenSearchServer(HttpServer):
    name = "opensearch"
    start_timeout = 120.0

    def __init__(self) -> None:
        super().__init__("WARDEN_INFRA_OPENSEARCH_PORT", 9200)
        self.transport_port = env_port("WARDEN_INFRA_OPENSEARCH_TRANSPORT_PORT", 9300)
        self.base_path = env_path("WARDEN_INFRA_OPENSEARCH_DATA_DIR", self.state_dir / "cluster")
        self._maven_dir = repo_root() / "scripts" / "infra" / "maven" / "opensearch"

    def install(self) -> None:
        maven_libs(self._maven_dir / "pom.xml", "opensearch")

    def prepare(self) -> None:
        # The runner reads node_1/config/opensearch.yml when present and adds its own node settings on top.
        config_dir = self.base_path / "node_1" / "config"
        config_dir.mkdir(parents=True, exist_ok=True)
        (config_dir / "opensearch.yml").write_text(
            f"network.host: {LOOPBACK}\n"
            f"transport.port: {self.transport_port}\n"
            # Busy CI disks would otherwise push indices read-only at the 95% watermark.
            "cluster.routing.allocation.disk.threshold_enabled: false\n"
        )

    def launch_spec(self) -> LaunchSpec:
        libs = maven_libs(self._maven_dir / "pom.xml", "opensearch")
        return LaunchSpec(
            argv=[
                java_executable(), "-Xms1g", "-Xmx1g", "-cp", f"{libs}/*",
                str(self._maven_dir / "WardenOpenSearchRunner.java"),
                "-basePath", str(self.base_path), "-numOfNode", "1",
                "-baseHttpPort", str(self._port - 1), "-clusterName", CLUSTER_NAME,
            ]
        )  # fmt: skip

    def probe(self) -> bool:
        health = http_json(f"{self.endpoint}/_cluster/health")
        return health is not None and health.get("status") in ("green", "yellow")
