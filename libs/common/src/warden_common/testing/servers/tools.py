"""Helpers shared by the server modules: apt and Maven downloads, probes, and running a coroutine from sync code."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import httpx

from warden_common.testing.servers.config import cache_home
from warden_common.testing.servers.errors import InfraError

logger = logging.getLogger(__name__)
T = TypeVar("T")

_apt_index_fresh = threading.Event()  # one `apt-get update` per process is enough


def ensure_apt_packages(packages: list[str]) -> None:
    """Install Debian `packages` that are missing (we run as root; there is no other package manager here)."""
    missing = [p for p in packages if not _dpkg_installed(p)]
    if not missing:
        return
    if shutil.which("apt-get") is None:
        raise InfraError(f"need Debian packages {missing} but apt-get is not available; install them by hand")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if not _apt_index_fresh.is_set():
        logger.info("apt-get update")
        _run(["apt-get", "update", "-q"], env=env)
        _apt_index_fresh.set()
    logger.info("apt-get install %s", " ".join(missing))
    with _services_not_started():
        _run(["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing], env=env)


def _dpkg_installed(package: str) -> bool:
    result = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True, check=False)
    return result.returncode == 0 and "install ok installed" in result.stdout


class _services_not_started:
    """Deny service starts during apt installs (policy-rc.d exit 101, the Debian convention for containers).

    Without it the prometheus package's maintainer script would start a daemon on 0.0.0.0:9090, the port
    we want for our own loopback-only process.
    """

    path = Path("/usr/sbin/policy-rc.d")

    def __enter__(self) -> None:
        self.created = not self.path.exists()
        if self.created:
            self.path.write_text("#!/bin/sh\nexit 101\n")
            self.path.chmod(0o755)

    def __exit__(self, *exc: object) -> None:
        if self.created:
            self.path.unlink(missing_ok=True)


def maven_libs(pom: Path, name: str) -> Path:
    """Resolve the runtime dependencies of `pom` into a cached `libs/` dir and return it.

    The cache key is the pom's content hash, so editing a version in the pom downloads again and an
    unchanged pom never touches the network. Maven's own repository also lives in the cache dir.
    """
    if not pom.is_file():
        raise InfraError(f"missing {pom}")
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()[:12]
    target = cache_home() / f"{name}-{digest}"
    libs = target / "libs"
    done = target / ".complete"
    if done.exists():
        return libs
    ensure_apt_packages([p for p, exe in (("maven", "mvn"), ("default-jre-headless", "java")) if not shutil.which(exe)])
    logger.info("downloading %s jars with Maven into %s", name, libs)
    shutil.rmtree(target, ignore_errors=True)
    libs.mkdir(parents=True)
    _run(
        [
            "mvn", "-q", "-B", "-f", str(pom),
            f"-Dmaven.repo.local={cache_home() / 'm2'}",
            "dependency:copy-dependencies", f"-DoutputDirectory={libs}", "-DincludeScope=runtime",
        ]
    )  # fmt: skip
    done.write_text(str(pom) + "\n")
    return libs


def java_executable() -> str:
    """`$JAVA_HOME/bin/java` if set, else `java` from PATH (Kafka 4 and OpenSearch 2.19 both run on Java 17)."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    found = shutil.which("java")
    if found is None:
        ensure_apt_packages(["default-jre-headless"])
        found = shutil.which("java")
    if found is None:
        raise InfraError("no java executable found; install a JRE 17 or set JAVA_HOME")
    return found


def _run(argv: list[str], env: dict[str, str] | None = None) -> None:
    result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-30:])
        raise InfraError(f"{' '.join(argv[:4])} ... failed (exit {result.returncode}):\n{tail}")


def port_is_open(host: str, port: int, timeout: float = 0.5) -> bool:
    """True if something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def http_status(url: str, timeout: float = 2.0) -> int | None:
    """The status code of GET `url`, or None if nothing answered."""
    try:
        return httpx.get(url, timeout=timeout).status_code
    except httpx.HTTPError:
        return None


def http_json(url: str, timeout: float = 2.0) -> dict[str, Any] | None:
    """The JSON object returned by a successful GET `url`, or None if nothing (good) answered."""
    try:
        response = httpx.get(url, timeout=timeout)
        body = response.json() if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError):
        return None
    return body if isinstance(body, dict) else None


def run_sync(make_coroutine: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion from sync code, even when the caller is itself inside an event loop.

    Fixtures and the CLI are synchronous, but a sync fixture may be set up while pytest-asyncio's loop is
    running in the same thread, where `asyncio.run` is forbidden; a private thread with its own loop works
    in both cases.
    """
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(make_coroutine())
        except BaseException as exc:  # re-raised in the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="warden-infra-sync", daemon=True)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    value: T = outcome["value"]
    return value
