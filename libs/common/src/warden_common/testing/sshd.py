"""A real OpenSSH server for tests: `sshd` on a free 127.0.0.1 port, run in the foreground by the test's own user
with a generated host key and one generated client key authorized, so git pushes over ssh:// for real.

    with serving_sshd(tmp_path / "ssh") as server:
        url = server.url(bare_repository)    # ssh://<user>@127.0.0.1:<port>/abs/path
        # server.client_key, server.known_hosts: what git's ssh needs

Needs the Debian package `openssh-server` (`scripts/infra/all install` installs it; its service is never started).
Run as root (containers, CI), sshd also needs its privilege-separation directory `/run/sshd`, created here if absent.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from warden_common.testing.processes import free_port, stop_process
from warden_common.testing.waiting import wait_until

SSHD_CANDIDATES = ("/usr/sbin/sshd", "/usr/local/sbin/sshd")


def sshd_executable() -> str:
    """sshd's absolute path (it re-executes itself, so it must be started by one)."""
    for candidate in (*SSHD_CANDIDATES, shutil.which("sshd")):
        if candidate and Path(candidate).is_file():
            return candidate
    raise RuntimeError("sshd not found: install the Debian package openssh-server (`scripts/infra/all install`)")


@dataclass(frozen=True)
class SshServer:
    port: int
    user: str
    client_key: Path
    known_hosts: Path
    host_public_key: str
    workdir: Path

    def url(self, path: Path) -> str:
        return f"ssh://{self.user}@127.0.0.1:{self.port}{path}"

    def known_hosts_line(self, public_key: str | None = None) -> str:
        """The known_hosts entry of this server (or of `public_key` claimed for its address)."""
        return f"[127.0.0.1]:{self.port} {public_key or self.host_public_key}\n"


def _keygen(path: Path, comment: str) -> str:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)], check=True, capture_output=True
    )
    key_type, key = path.with_suffix(".pub").read_text().split()[:2]
    return f"{key_type} {key}"


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def serving_sshd(workdir: Path) -> Iterator[SshServer]:
    workdir.mkdir(parents=True, exist_ok=True)
    executable = sshd_executable()
    host_public = _keygen(workdir / "host_key", "warden-test-host")
    client_public = _keygen(workdir / "client_key", "warden-test-client")
    authorized = workdir / "authorized_keys"
    authorized.write_text(client_public + "\n")
    authorized.chmod(0o600)
    port, user = free_port(), getpass.getuser()
    config = workdir / "sshd_config"
    config.write_text(
        "\n".join(
            [
                f"Port {port}",
                "ListenAddress 127.0.0.1",
                f"HostKey {workdir / 'host_key'}",
                f"PidFile {workdir / 'sshd.pid'}",
                f"AuthorizedKeysFile {authorized}",
                f"AllowUsers {user}",
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PermitRootLogin prohibit-password",
                "UsePAM no",
                "StrictModes no",
                "LogLevel VERBOSE",
                "",
            ]
        )
    )
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    log = (workdir / "sshd.log").open("wb")
    process = subprocess.Popen([executable, "-D", "-e", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT)
    try:

        def up() -> bool:
            if process.poll() is not None:
                raise RuntimeError(f"sshd exited ({process.returncode}): {(workdir / 'sshd.log').read_text()}")
            return _listening(port)

        wait_until(f"sshd listening on 127.0.0.1:{port}", up, within_s=20, interval_s=0.1)
        known_hosts = workdir / "known_hosts"
        server = SshServer(
            port=port,
            user=user,
            client_key=workdir / "client_key",
            known_hosts=known_hosts,
            host_public_key=host_public,
            workdir=workdir,
        )
        known_hosts.write_text(server.known_hosts_line())
        yield server
    finally:
        stop_process(process, timeout_s=10)
        log.close()
