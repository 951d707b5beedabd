"""Prometheus from the Debian package, run as a plain process (never the Debian service, which binds 0.0.0.0).

It scrapes itself and, under job `warden`, every `host:port` in $WARDEN_INFRA_PROMETHEUS_TARGETS (read when the
config is written at start). A running server can be re-pointed with `set_extra_targets`, which rewrites the
config and triggers a reload through the lifecycle API.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx

from warden_common.testing.processes import free_port, stop_process
from warden_common.testing.servers.base import HttpServer, LaunchSpec
from warden_common.testing.servers.config import LOOPBACK, env_path
from warden_common.testing.servers.errors import InfraError
from warden_common.testing.servers.tools import ensure_apt_packages, http_status

logger = logging.getLogger(__name__)

_BINARY = "/usr/bin/prometheus"
# Short intervals so tests see fresh samples within seconds rather than the default minute.
_SCRAPE_INTERVAL = "2s"


class PrometheusServer(HttpServer):
    name = "prometheus"

    def __init__(self) -> None:
        super().__init__("WARDEN_INFRA_PROMETHEUS_PORT", 9090)
        self.data_dir = env_path("WARDEN_INFRA_PROMETHEUS_DATA_DIR", self.state_dir / "data")
        self.config_file = self.state_dir / "prometheus.yml"

    def install(self) -> None:
        ensure_apt_packages(["prometheus"])

    def prepare(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._write_config(_targets_from_env())

    def launch_spec(self) -> LaunchSpec:
        return LaunchSpec(
            argv=[
                _BINARY,
                f"--config.file={self.config_file}",
                f"--storage.tsdb.path={self.data_dir}",
                f"--web.listen-address={LOOPBACK}:{self._port}",
                "--web.enable-lifecycle",
            ]
        )

    def probe(self) -> bool:
        return http_status(f"{self.endpoint}/-/ready") == 200

    def set_extra_targets(self, targets: list[str]) -> None:
        """Scrape `targets` (host:port) under job `warden` from now on; the server must be running."""
        self._write_config(targets)
        response = httpx.post(f"{self.endpoint}/-/reload", timeout=10)
        if response.status_code != 200:
            raise InfraError(f"prometheus reload failed ({response.status_code}): {response.text}")

    def _write_config(self, targets: list[str]) -> None:
        # YAML is a superset of JSON, so json.dumps gives correctly quoted YAML without a YAML dependency.
        config = {
            "global": {"scrape_interval": _SCRAPE_INTERVAL, "evaluation_interval": _SCRAPE_INTERVAL},
            "scrape_configs": [
                {"job_name": "prometheus", "static_configs": [{"targets": [f"{LOOPBACK}:{self._port}"]}]},
                {"job_name": "warden", "static_configs": [{"targets": targets}]},
            ],
        }
        self.config_file.write_text(json.dumps(config, indent=2) + "\n")


def _targets_from_env() -> list[str]:
    raw = os.environ.get("WARDEN_INFRA_PROMETHEUS_TARGETS", "")
    targets = [t.strip() for t in raw.split(",") if t.strip()]
    for target in targets:
        host, _, port = target.rpartition(":")
        if not host or not port.isdigit():
            raise InfraError(f"WARDEN_INFRA_PROMETHEUS_TARGETS: {target!r} is not host:port")
    return targets


@contextlib.contextmanager
def private_prometheus(
    directory: Path, targets: Sequence[str], rule_files: Sequence[Path] = (), interval: str = "1s"
) -> Iterator[str]:
    """A Prometheus of one test's own (its port, its data under `directory`), scraping `targets` under job `warden`
    and evaluating `rule_files` every `interval`; its base URL until the block ends, then stopped. For tests that
    load rules or need their own targets without touching the shared server's configuration."""
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config = {
        "global": {"scrape_interval": interval, "evaluation_interval": interval},
        "rule_files": [str(path) for path in rule_files],
        "scrape_configs": [{"job_name": "warden", "static_configs": [{"targets": list(targets)}]}],
    }
    config_file = directory / "prometheus.yml"
    config_file.write_text(json.dumps(config, indent=2) + "\n")
    argv = [
        _BINARY,
        f"--config.file={config_file}",
        f"--storage.tsdb.path={directory / 'data'}",
        f"--web.listen-address={LOOPBACK}:{port}",
    ]
    url = f"http://{LOOPBACK}:{port}"
    with (directory / "prometheus.log").open("wb") as log:
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while http_status(f"{url}/-/ready") != 200:
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = (directory / "prometheus.log").read_text(errors="replace")[-2000:]
                raise InfraError(f"private prometheus did not start:\n{tail}")
            time.sleep(0.1)
        yield url
    finally:
        stop_process(proc)
