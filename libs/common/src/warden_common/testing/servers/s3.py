"""An S3 API from moto's standalone server, state kept in memory. Any access key and secret are accepted.

moto runs from its own virtualenv under the infra cache, not from the workspace venv: the workspace only
has `moto[server]` when synced with the `testing` extra, and a plain `uv sync` elsewhere would remove it
from under a running CI. The pin matches warden-common's `testing` extra (where tests get boto3).
"""

from __future__ import annotations

import logging
import shutil
import subprocess

from warden_common.testing.servers.base import HttpServer, LaunchSpec
from warden_common.testing.servers.config import LOOPBACK, cache_home
from warden_common.testing.servers.errors import InfraError
from warden_common.testing.servers.tools import http_status

logger = logging.getLogger(__name__)

MOTO_REQUIREMENT = "moto[server]==5.2.5"
_PYTHON = "3.11"


class MotoS3Server(HttpServer):
    name = "s3"
    start_timeout = 30.0

    def __init__(self) -> None:
        super().__init__("WARDEN_INFRA_S3_PORT", 5555)
        self.venv = cache_home() / f"moto-{MOTO_REQUIREMENT.rpartition('==')[2]}"

    def install(self) -> None:
        done = self.venv / ".complete"
        if done.exists():
            return
        uv = shutil.which("uv")
        if uv is None:
            raise InfraError("uv is not on PATH; it is needed to install moto into the infra cache")
        logger.info("installing %s into %s", MOTO_REQUIREMENT, self.venv)
        shutil.rmtree(self.venv, ignore_errors=True)
        for argv in (
            [uv, "venv", "--quiet", "--python", _PYTHON, str(self.venv)],
            [uv, "pip", "install", "--quiet", "--python", str(self.venv / "bin" / "python"), MOTO_REQUIREMENT],
        ):
            result = subprocess.run(argv, capture_output=True, text=True, check=False)
            if result.returncode != 0:
                raise InfraError(f"{' '.join(argv[:3])} failed:\n{result.stdout}{result.stderr}")
        done.write_text(MOTO_REQUIREMENT + "\n")

    def launch_spec(self) -> LaunchSpec:
        return LaunchSpec(argv=[str(self.venv / "bin" / "moto_server"), "-H", LOOPBACK, "-p", str(self._port)])

    def probe(self) -> bool:
        return http_status(f"{self.endpoint}/") == 200
