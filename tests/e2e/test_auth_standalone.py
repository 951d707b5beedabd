"""`warden up` as a newcomer meets it, auth on by default: the first administrator's generated password printed
once, the CLI's `warden login` / `warden users`, the API refusing anonymous calls, and keys and users surviving a
restart."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path

import httpx
import pytest

from warden_common.testing.processes import free_port, wait_http_ok, warden_executable

pytestmark = pytest.mark.integration

API = "/seldon-deploy/api/v1alpha1"
PASSWORD_LINE = re.compile(r"created the first administrator 'admin' with the generated password '([^']+)'")


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARDEN_ADMIN_")}
    return {**env, "WARDEN_HOME": str(home), **extra}  # auth on by default: nothing to set


def _up(home: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        command = [str(warden_executable()), "up", "--port", str(port)]
        return subprocess.Popen(command, env=_env(home), stdout=out, stderr=subprocess.STDOUT)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) == 0


def _warden(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    command = [str(warden_executable()), *args]
    return subprocess.run(command, env=_env(home, **env), capture_output=True, text=True, timeout=60, check=False)


def test_first_admin_cli_login_and_restart(warden_home: Path, tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "up.log"
    proc = _up(warden_home, port, log)
    try:
        wait_http_ok(f"{base}/health/ready", proc, 60)
        [password] = PASSWORD_LINE.findall(log.read_text())
        assert (warden_home / "auth" / "signing-key-passphrase").stat().st_mode & 0o077 == 0

        anonymous = httpx.get(f"{base}{API}/namespaces")
        assert anonymous.status_code == 401
        assert anonymous.headers["www-authenticate"].startswith("Bearer")

        wrong = _warden(warden_home, "login", "--user", "admin", "--url", base, WARDEN_PASSWORD="nope-nope")
        assert wrong.returncode == 1
        assert "login refused" in wrong.stderr
        done = _warden(warden_home, "login", "--user", "admin", "--url", base, WARDEN_PASSWORD=password)
        assert done.returncode == 0, done.stderr
        assert (warden_home / "credentials.json").stat().st_mode & 0o077 == 0
        printed = _warden(warden_home, "token")  # what the README's curl commands send
        assert printed.returncode == 0, printed.stderr
        bearer = {"Authorization": f"Bearer {printed.stdout.strip()}"}
        assert httpx.get(f"{base}{API}/namespaces", headers=bearer).status_code == 200
        added = _warden(
            warden_home, "users", "add", "alice", "-g", "data-scientist", WARDEN_NEW_PASSWORD="alice-pass-1"
        )
        assert added.returncode == 0, added.stderr
        listed = _warden(warden_home, "users", "list")
        assert "alice\tdata-scientist\tuser" in listed.stdout
        assert "admin\twarden-admins\tuser" in listed.stdout
    finally:
        _stop(proc)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = _up(warden_home, port, log)
    try:
        wait_http_ok(f"{base}/health/ready", proc, 60)
        assert len(PASSWORD_LINE.findall(log.read_text())) == 1, "the generated password is printed once only"
        form = {"grant_type": "password", "client_id": "warden", "username": "alice", "password": "alice-pass-1"}
        discovery = httpx.get(f"{base}/.well-known/openid-configuration").json()
        token = httpx.post(discovery["token_endpoint"], data=form)
        assert token.status_code == 200, token.text
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        # alice may see the demo namespace (open to all by its labels) but not manage users
        assert [ns["name"] for ns in httpx.get(f"{base}{API}/namespaces", headers=headers).json()] == ["seldon"]
        assert httpx.get(f"{base}{API}/users", headers=headers).status_code == 403
    finally:
        _stop(proc)
